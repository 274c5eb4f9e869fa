// Test projects: pure logic in Node, Node tooling, the Worker and its Durable Objects in
// workerd (in development, with generation, with embeddings, with a reranker, and in the production configuration), and the
// pages in headless Chromium against a real local stack.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vitest/config";

/** Node projects import the Durable Objects' `.sql` migrations as text, as wrangler does. */
const sqlText: Plugin = {
  name: "sql-text",
  load(id) {
    return id.endsWith(".sql") ? `export default ${JSON.stringify(readFileSync(id, "utf8"))};` : null;
  },
};

/** A project running in workerd against its own KB primary (and fake LLM), with extra bindings. */
function workersProject(name: string, include: string[], exclude: string[], bindings: Record<string, string>) {
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TOKEN_SECRET: "test-secret-0123456789abcdef",
            ADMIN_API_KEY: "test-admin-key-0123456789",
            CLIENT_KEY_SECRET: "test-client-key-secret-0123456789",
            // k1 wraps new data keys; k0 is an older master key still in the ring (key rotation tests).
            DATA_ENCRYPTION_KEY: "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k0:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXowMTIzNDU=",
            CUSTOMER_SIGNING_SECRET: "test-customer-signing-secret-0123",
            CONVERSATION_IDLE_SECONDS: "60",
            ALLOWED_ORIGINS: "https://shop.example",
            LIBSQL_URL: inject("libsqlUrl"),
            LIBSQL_AUTH_TOKEN: inject("libsqlAuthToken"),
            LIBSQL_TIMEOUT_MS: "2000",
            KB_SYNC_INTERVAL_SECONDS: "60",
            // Local workerd has no jurisdictions; routing is tested with a fake namespace.
            JURISDICTIONS: "off",
            HOLDFAST_DEV: "1",
            // Every test request shares one client address; the per-IP limits are tested on the
            // limiter and, with small numbers, in the workers-prod project.
            RATE_LIMIT_IP: "100000/60",
            RATE_LIMIT_CONVERSATIONS_PER_IP: "100000/3600",
            RATE_LIMIT_ADMIN_IP: "100000/60",
            // Breakers cool down quickly so tests see them open and close again.
            BREAKER_COOLDOWN_MS: "300",
            // Long enough that a turn answered from the KB is always "quick" here (one commit);
            // tests of the slow path add latency beyond it.
            ACK_GRACE_MS: "500",
            // Three replica shards in one region only (the shard tests use it; others keep one).
            REPLICA_SHARDS: "apac=3,*=1",
            LLM_BASE_URL: `${inject("llmUrl")}/v1`,
            // Used only where EMBEDDINGS_PROVIDER is "openai" (the workers-embeddings project).
            EMBEDDINGS_BASE_URL: inject("embeddingsUrl"),
            // Used only where RERANKER_PROVIDER is "openai" (the workers-reranker project): the same fake serves /v1/rerank.
            RERANKER_BASE_URL: inject("embeddingsUrl"),
            // Alerts go to the local receiver started by the global setup.
            ALERT_WEBHOOK_URL: `${inject("webhookUrl")}/hook`,
            ALERT_WEBHOOK_SECRET: "test-webhook-secret-0123456789",
            // Self-repair per region: the remediation tests use sam (dry-run) and enam (off).
            AUTO_REMEDIATION: "sam=dry-run,enam=off,*=on",
            // KB writes go live at once (they are what these tests are about); the workers-releases
            // project turns releases on.
            KB_RELEASES: "off",
            ...bindings,
          },
        },
      })),
    ],
    test: {
      name,
      include,
      exclude,
      globalSetup: ["test/workers/global-setup.ts"],
      // The KB primary is shared, and one test takes it down on purpose.
      fileParallelism: false,
      // A fresh replica trains its classifiers (with cross-validation) after its first sync,
      // which the files' beforeAll hooks wait for (over 10 s on a busy machine).
      testTimeout: 20_000,
      // Hooks warm replicas (sync, then training with the threshold fit), often two regions
      // (degraded-mode's took over a minute on a busy machine, on everything earlier files
      // added to the shared KB): a guard against a hang, never a timing assertion.
      hookTimeout: 180_000,
    },
  };
}

/** Files that judge answers on the demo KB as it ships, with nothing added by other tests. */
const DEMO_KB_ONLY = ["test/workers/answer-pipeline.test.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        // Some train or fit the demo KB (cross-validation); the timeouts guard against a hang on
        // a busy machine, they time nothing.
        // Files share one worker (isolate: false), which halves this project's time (60 -> 33 s
        // here): none stubs globals, timers or modules.
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node", isolate: false, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        // Node tooling against real engines: the libSQL dev endpoint, the KB CLI, the eval.
        plugins: [sqlText],
        // Files share one worker, as unit's do (96 -> 79 s here); each starts and stops its own servers.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", isolate: false, testTimeout: 30_000, hookTimeout: 120_000 },
      },
      workersProject("workers", ["test/workers/**/*.test.ts"], ["test/workers/generation/**", "test/workers/embeddings/**", "test/workers/reranker/**", "test/workers/releases/**", ...DEMO_KB_ONLY], {}),
      // What the demo KB alone answers: other files add articles to their shared primary, which
      // retrains the classifier and moves the demo's decisions with the order files run in.
      workersProject("workers-answers", DEMO_KB_ONLY, [], {}),
      // Releases (KB_RELEASES on) against a primary of their own.
      workersProject("workers-releases", ["test/workers/releases/**/*.test.ts"], [], { KB_RELEASES: "on" }),
      // The same Worker with grounded generation on, against a FAKE OpenAI-compatible server.
      workersProject("workers-llm", ["test/workers/generation/**/*.test.ts"], [], { LLM_PROVIDER: "openai", LLM_MODEL: "fake-model" }),
      // Semantic signals on, against a FAKE OpenAI-compatible embeddings server (test/support/fake-embeddings.ts).
      workersProject("workers-embeddings", ["test/workers/embeddings/**/*.test.ts"], [], { EMBEDDINGS_PROVIDER: "openai", EMBEDDINGS_MODEL: "fake-embed", EMBEDDINGS_TIMEOUT_MS: "400" }),
      // Reranking on, against the same FAKE server's /v1/rerank (character n-gram overlap, no model).
      workersProject("workers-reranker", ["test/workers/reranker/**/*.test.ts"], [], { RERANKER_PROVIDER: "openai", RERANKER_MODEL: "fake-rerank", RERANKER_TIMEOUT_MS: "300" }),
      // The Worker in its production configuration: no dev switch, and faults named at start
      // (as `npm start -- --fault` would) that must be ignored. The production per-IP limits,
      // with the conversation-start and admin-IP caps made small enough to reach in a test.
      workersProject("workers-prod", ["test/workers-prod/**/*.test.ts"], [], {
        HOLDFAST_DEV: "0",
        HOLDFAST_FAULTS: "primary-down,replica-down,limiter-down,region-over-budget",
        RATE_LIMIT_IP: "120/60",
        RATE_LIMIT_CONVERSATIONS_PER_IP: "5/3600",
        // An hour, not a minute: a refill every 3 s would let a slow test machine through.
        RATE_LIMIT_ADMIN_IP: "20/3600",
      }),
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          // Hooks start stacks and wait for replicas to sync and train (warmReplicas gives up
          // after 180 s): a guard against a hang on a busy machine, never a timing assertion.
          hookTimeout: 240_000,
          // The stack shares the machine: a page waits for the server as long as it needs
          // (expect.poll's own default is one second), bounded against a hang.
          expect: { poll: { timeout: 15_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});

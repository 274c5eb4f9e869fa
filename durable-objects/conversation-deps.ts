// What ConversationDO's answer pipeline talks to, wired to the platform: the region's and
// the neighbouring region's replicas behind circuit breakers, the colo's Cache API, the
// optional LLM provider behind a breaker and the region's LLM budget, and — in development
// only — the fault switches.
import { AnswerCache, type CachedAnswer, type CacheStore } from "../src/answer/answer-cache.ts";
import type { LlmProvider } from "../src/answer/generation/provider.ts";
import { ProviderError } from "../src/answer/generation/provider.ts";
import { llmProvider } from "../src/answer/generation/providers.ts";
import type { PipelinePorts } from "../src/answer/pipeline.ts";
import type { Config } from "../src/config.ts";
import { limiterFor } from "../src/edge/limits.ts";
import { NEIGHBOUR } from "../src/edge/region.ts";
import type { Region } from "../src/edge/regions.ts";
import { replicaOf } from "../src/kb/replicas.ts";
import { isolateBreakers, type Breakers } from "../src/resilience/breaker.ts";
import { currentFaults } from "../src/resilience/faults.ts";
import type { KnowledgeReplicaDO } from "./knowledge-replica.ts";

/** Waits, giving up early (rejecting) when the signal aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new ProviderError("timeout", "aborted"));
    }, { once: true });
  });
}

/** Cached answers in the colo's Cache API, keyed by a digest (no customer text is stored). */
const cacheApi: CacheStore = {
  async match(key) {
    const res = await caches.default.match(await cacheUrl(key));
    return res ? ((await res.json()) as CachedAnswer) : null;
  },
  async put(key, value) {
    await caches.default.put(await cacheUrl(key), new Response(JSON.stringify(value), { headers: { "Content-Type": "application/json", "Cache-Control": "max-age=86400" } }));
  },
};

async function cacheUrl(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  return `https://answer-cache.holdfast.internal/${[...digest].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The provider behind the "llm" breaker and the LLM faults. */
function guardedProvider(provider: LlmProvider, breakers: Breakers, faults: () => ReturnType<typeof currentFaults>): LlmProvider {
  return {
    name: provider.name,
    async *stream(request) {
      const breaker = breakers.get("llm");
      breaker.begin();
      try {
        const f = faults();
        if (f.llmDown) throw new ProviderError("unreachable", "fault llm-down");
        if (f.llmSlow) await sleep(30_000, request.signal);
        yield* provider.stream(request);
        breaker.succeeded();
      } catch (err) {
        breaker.failed();
        throw err;
      }
    },
  };
}

export function pipelinePorts(env: Env, config: Config, ctx: DurableObjectState, region: () => Region): PipelinePorts {
  const breakers = isolateBreakers({ failures: config.resilience.breakerFailures, coolDownMs: config.resilience.breakerCoolDownMs });
  const faults = () => currentFaults(config.devMode, config.faultsAtStart);
  // Longer than the turn's deadline: the deadline decides first, the breaker still learns.
  const replicaTimeoutMs = config.resilience.deadlineMs + 500;
  const replica = <T>(r: Region, call: (stub: DurableObjectStub<KnowledgeReplicaDO>) => Promise<T>): Promise<T> =>
    breakers.get(`replica:${r}`).run(async () => {
      const f = faults();
      if (f.latencyMs) await sleep(f.latencyMs);
      if (f.replicaDown && r === region()) throw new Error("fault replica-down");
      return call(replicaOf(env, r));
    }, replicaTimeoutMs);
  const provider = llmProvider(env, config.llm);
  return {
    kb: { retrieve: (query, options) => replica(region(), (s) => s.retrieve(query, options)) },
    degraded: {
      memory: (question, language) => replica(region(), (s) => s.recall(question, language)),
      neighbour: (question, options) => replica(NEIGHBOUR[region()], (s) => s.retrieve(question, options)),
    },
    cache: new AnswerCache(cacheApi, region),
    remember: (question, language, articleId) => ctx.waitUntil(replica(region(), (s) => s.remember(question, language, articleId)).catch(() => {})),
    generation: provider && {
      provider: guardedProvider(provider, breakers, faults),
      config: { maxTokens: config.llm.maxTokens, timeoutMs: config.llm.timeoutMs },
      budget: async () => {
        if (faults().regionOverBudget) return false;
        const key = `llm-budget:${region()}`;
        return (await limiterFor(env, region(), key, config.limits.shards).hit(key, config.limits.llmBudget, Date.now())).allowed;
      },
    },
    breakers: () => breakers.states(),
    openSince: (dependency) => breakers.get(dependency === "replica" ? `replica:${region()}` : "llm").since,
    now: Date.now,
  };
}

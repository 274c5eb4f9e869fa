// Three test projects: pure logic in Node, the Worker and its Durable Objects in workerd,
// and the pages in headless Chromium against a real local stack.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        // Node tooling against real engines: the libSQL dev endpoint, the KB CLI.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TOKEN_SECRET: "test-secret-0123456789abcdef",
                ADMIN_API_KEY: "test-admin-key-0123456789",
                CONVERSATION_IDLE_SECONDS: "60",
                ALLOWED_ORIGINS: "https://shop.example",
                LIBSQL_URL: inject("libsqlUrl"),
                LIBSQL_TIMEOUT_MS: "2000",
                KB_SYNC_INTERVAL_SECONDS: "60",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          globalSetup: ["test/workers/global-setup.ts"],
          // The KB primary is shared, and one test takes it down on purpose.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

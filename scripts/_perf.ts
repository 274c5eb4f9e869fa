import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { floorTurns, wsTurns } from "./bench/load.ts";
import { freePort, LOAD_TOOL_LIMITS, startStack, warmReplicas } from "./stack.ts";
const stack = await startStack({ port: await freePort(), stateDir: mkdtempSync(join(tmpdir(), "perf-")), seed: true, vars: { TOKEN_SECRET: "perf-secret-0123456789abcdef", ADMIN_API_KEY: "perf-admin-key-0123456789", KB_SYNC_INTERVAL_SECONDS: "3600", ...LOAD_TOOL_LIMITS, ...Object.fromEntries((process.env.PERF_VARS ?? "").split(",").filter(Boolean).map((kv) => kv.split("="))) } });
try {
  await warmReplicas(stack.url, "perf-admin-key-0123456789");
  await wsTurns(stack.url, 1, 2);
  for (let i = 0; i < 2; i++) {
    const f = await floorTurns(stack.url, 1, 3);
    const t = await wsTurns(stack.url, 1, 3);
    const t50 = await wsTurns(stack.url, 50, 3);
    const f50 = await floorTurns(stack.url, 50, 3);
    console.log(`floor p50 ${f.p50.toFixed(2)} turn p50 ${t.p50.toFixed(2)} ratio ${(t.p50 / f.p50).toFixed(2)} | 50: turns/s ${t50.perSecond.toFixed(0)} floor/s ${f50.perSecond.toFixed(0)} ratio ${(t50.perSecond / f50.perSecond).toFixed(2)}`);
  }
} finally {
  await stack.stop();
}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { wsTurns } from "./bench/load.ts";
import { freePort, LOAD_TOOL_LIMITS, startStack, warmReplicas } from "./stack.ts";
const stack = await startStack({ port: await freePort(), stateDir: mkdtempSync(join(tmpdir(), "prof-")), seed: true, vars: { TOKEN_SECRET: "perf-secret-0123456789abcdef", ADMIN_API_KEY: "perf-admin-key-0123456789", KB_SYNC_INTERVAL_SECONDS: "3600", ...LOAD_TOOL_LIMITS } });
try {
  await warmReplicas(stack.url, "perf-admin-key-0123456789");
  await wsTurns(stack.url, 1, 2);
  const targets = (await (await fetch("http://127.0.0.1:9229/json")).json()) as Array<{ webSocketDebuggerUrl: string; title: string }>;
  console.log(targets.map((t) => t.title));
  const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((r) => ws.once("open", r));
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (d) => { const m = JSON.parse(d.toString()); if (m.id && pending.has(m.id)) { pending.get(m.id)!(m.result); pending.delete(m.id); } });
  const call = (method: string, params: object = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 100 });
  await call("Profiler.start");
  await wsTurns(stack.url, 10, 4);
  const res = (await call("Profiler.stop")) as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] }>; samples: number[]; timeDeltas: number[] } };
  writeFileSync("/tmp/turn.cpuprofile", JSON.stringify(res.profile));
  // Self time per function.
  const self = new Map<string, number>();
  const total = res.profile.nodes.reduce((n, x) => n + x.hitCount, 0);
  for (const n of res.profile.nodes) {
    const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + n.hitCount);
  }
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(((v / total) * 100).toFixed(1).padStart(5), k);
  ws.close();
} finally {
  await stack.stop();
}

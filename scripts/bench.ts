// `npm run bench`: starts the local stack, measures the floors (a trivial route, the
// WebSocket heartbeat) and chat turns in one run, prints each figure with its ratio to its
// floor, and writes bench/results/<date>.json. Traffic goes to 127.0.0.1 only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createConversation, httpTurn, SocketSession } from "./bench/clients.ts";
import { measureReplica, type ReplicaFigures } from "./bench/replica.ts";
import { summarise, type Summary } from "./bench/stats.ts";
import { ROOT, startStack } from "./stack.ts";

const quick = process.argv.includes("--quick");
const N = quick ? 60 : 300;
const WARMUP = 20;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Runs `once` sequentially `n` times after a warm-up, timing each call. */
async function sequential(label: string, n: number, once: () => Promise<number>): Promise<Summary> {
  for (let i = 0; i < WARMUP; i++) await once();
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    samples.push(await once());
    if (i % 50 === 0) process.stdout.write(`\r  ${label}: ${i}/${n}   `);
  }
  process.stdout.write(`\r  ${label}: ${n}/${n}   \n`);
  return summarise(samples, performance.now() - started);
}

async function timedFetch(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return performance.now() - started;
}

const persistDir = mkdtempSync(join(tmpdir(), "holdfast-bench-"));
console.log(`Starting the local stack (${quick ? "quick" : "full"} run, ${N} samples per figure)…`);
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
const REPLICA_SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const stack = await startStack({
  port: await freePort(),
  stateDir: persistDir,
  seed: true,
  // Replicas sync only when the benchmark asks, so no background sync skews a figure.
  vars: { TOKEN_SECRET: "bench-secret-0123456789abcdef", ADMIN_API_KEY: ADMIN_KEY, KB_SYNC_INTERVAL_SECONDS: "3600" },
});
const base = stack.url;
const results: Record<string, Summary> = {};
const replicas: ReplicaFigures[] = [];
try {
  results.trivialRoute = await sequential("GET /healthz", N, () => timedFetch(`${base}/healthz`));
  const conv = await createConversation(base);
  const session = await SocketSession.open(base, conv);
  results.heartbeat = await sequential("WebSocket heartbeat", N, () => session.heartbeat());
  results.wsTurn = await sequential("chat turn over WebSocket", N, () => session.turn("Where is my order?"));
  session.close();
  const httpConv = await createConversation(base);
  results.httpTurn = await sequential("chat turn over HTTP", N, () => httpTurn(base, httpConv, "Where is my order?"));
  const regions = ["wnam", "enam", "sam"];
  for (const [i, size] of REPLICA_SIZES.entries()) replicas.push(await measureReplica(stack, ADMIN_KEY, size, regions[i]!));
} finally {
  await stack.stop();
  rmSync(persistDir, { recursive: true, force: true });
}

const floors: Record<string, string> = { wsTurn: "heartbeat", httpTurn: "trivialRoute" };
const rows = Object.entries(results).map(([name, s]) => {
  const floor = floors[name] ? results[floors[name]!] : undefined;
  return {
    figure: name,
    n: s.n,
    "p50 ms": s.p50.toFixed(2),
    "p99 ms": s.p99.toFixed(2),
    "per s": s.perSecond.toFixed(0),
    "p50 / floor": floor ? (s.p50 / floor.p50).toFixed(2) : "floor",
    "p99 / floor": floor ? (s.p99 / floor.p99).toFixed(2) : "floor",
  };
});
console.table(rows);
console.table(
  replicas.map((r) => ({
    articles: r.articles,
    "first sync s": (r.firstSyncMs / 1000).toFixed(1),
    "size MB": (r.sizeBytes / 1e6).toFixed(1),
    "search p50 ms": r.search.p50.toFixed(3),
    "search p99 ms": r.search.p99.toFixed(3),
  })),
);
const dir = resolve(ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, node: process.version, results, replicas }, null, 2));
console.log(`Wrote ${file}`);

// `npm run bench [-- --quick]`: starts the local stack, seeds the KB and measures in one
// run, so that ratios hold on a noisy machine: the floors (a trivial route, sequential and
// with 10 and 50 connections; the WebSocket heartbeat; a Durable Object that INSERTs and
// echoes each WebSocket message, at 1, 10 and 50 connections), chat turns answered from the KB over
// WebSocket (with ops events on and off) and HTTP for 1, 10 and 50 conversations, the same in degraded mode (the region's
// replica down), the time from a fault clearing to the first normal reply, and replica
// search at 1k, 10k and 100k articles. Traffic goes to 127.0.0.1 only. Prints a table with
// each figure's ratio to its floor and writes bench/results/<date>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createConversation, SocketSession } from "./bench/clients.ts";
import { floorTurns, heartbeat, httpTurns, QUESTIONS, trivialRoute, wsTurns } from "./bench/load.ts";
import { measureReplica, retrievalCost, type ReplicaFigures } from "./bench/replica.ts";
import { summarise, type Summary } from "./bench/stats.ts";
import { redact } from "../src/privacy/redact.ts";
import { freePort, LOAD_TOOL_LIMITS, ROOT, startStack, warmReplicas } from "./stack.ts";

const { values: args } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const quick = args.quick!;
const SECONDS = quick ? 1 : 4;
const LEVELS = [1, 10, 50];
const REPLICA_SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const ADMIN_KEY = "bench-admin-key-0123456789abcdef";
/** A hibernatable WebSocket into a SQLite Durable Object that INSERTs and echoes: what a turn costs at least. */
const FLOOR = "floor: DO insert + echo";
const EVENTS_OFF = "turn over WebSocket, events off";


interface Row {
  figure: string;
  connections: number;
  summary: Summary;
  floor: string | null;
}

const rows: Row[] = [];
const began = performance.now();
const step = (label: string) => process.stdout.write(`  [${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${label}\n`);

async function measure(figure: string, connections: number, floor: string | null, run: () => Promise<Summary>): Promise<Summary> {
  step(`${figure}, ${connections} connection${connections === 1 ? "" : "s"}`);
  const summary = await run();
  rows.push({ figure, connections, summary, floor });
  return summary;
}

const stateDir = mkdtempSync(join(tmpdir(), "holdfast-bench-"));
console.log(`Holdfast benchmark (${quick ? "quick" : "full"}: ${SECONDS} s per figure). Starting the local stack…`);
const stack = await startStack({
  port: await freePort(),
  stateDir,
  seed: true,
  vars: {
    TOKEN_SECRET: "bench-secret-0123456789abcdef",
    ADMIN_API_KEY: ADMIN_KEY,
    ...LOAD_TOOL_LIMITS,
    // Replicas sync only when the benchmark asks, so no background sync skews a figure.
    KB_SYNC_INTERVAL_SECONDS: "3600",
  },
});
const base = stack.url;
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json", ...init.headers } });
const replicas: ReplicaFigures[] = [];
let recoveryMs: number | null = null;
let retrieval: { region: string; p50: number; p99: number; perSecond: number } | null = null;
try {
  // Warm up: the region's replica syncs and trains, and every bench question is answered once.
  await warmReplicas(base, ADMIN_KEY);
  const warm = await SocketSession.open(base, await createConversation(base));
  for (let i = 0; i < 3; i++) for (const q of QUESTIONS) await warm.turn(q);
  warm.close();

  for (const c of LEVELS) await measure("trivial route", c, null, () => trivialRoute(base, c, SECONDS));
  await measure("heartbeat", 1, null, () => heartbeat(base, SECONDS));
  for (const c of LEVELS) await measure(FLOOR, c, null, () => floorTurns(base, c, SECONDS));
  for (const c of LEVELS) await measure("turn over WebSocket", c, FLOOR, () => wsTurns(base, c, SECONDS));
  // Every question new: no retrieval cache, every turn calls the replica.
  for (const c of LEVELS) await measure("turn over WebSocket, new questions", c, FLOOR, () => wsTurns(base, c, SECONDS, undefined, true));
  // What ops events cost a turn: the same turns with events switched off (a dev-only switch).
  await fetch(`${base}/v1/dev/ops-events`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ on: false }) });
  for (const c of LEVELS) await measure(EVENTS_OFF, c, FLOOR, () => wsTurns(base, c, SECONDS));
  await fetch(`${base}/v1/dev/ops-events`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ on: null }) });
  for (const c of LEVELS) await measure("turn over HTTP", c, "trivial route", () => httpTurns(base, c, SECONDS));

  const degraded = (meta: Record<string, unknown>) => {
    if (meta.mode !== "degraded") throw new Error("a reply during the fault was not degraded");
  };
  await admin("/v1/admin/faults", { method: "PUT", body: JSON.stringify({ faults: ["replica-down"] }) });
  for (const c of LEVELS) await measure("degraded turn over WebSocket", c, FLOOR, () => wsTurns(base, c, SECONDS, degraded));
  for (const c of LEVELS) await measure("degraded turn over HTTP", c, "trivial route", () => httpTurns(base, c, SECONDS));
  step("recovery: clearing the fault, asking until a reply is normal again");
  await admin("/v1/admin/faults", { method: "DELETE" });
  const cleared = performance.now();
  const probe = await SocketSession.open(base, await createConversation(base));
  for (let i = 0; recoveryMs === null && performance.now() - cleared < 60_000; i++) {
    let normal = false;
    await probe.turn(QUESTIONS[i % QUESTIONS.length]!, (meta) => (normal = meta.mode === "normal"));
    if (normal) recoveryMs = performance.now() - cleared;
    else await new Promise((r) => setTimeout(r, 100));
  }
  probe.close();

  // Regions no conversation of this run was in, nor their neighbours: each replica's first sync.
  // What one replica DO spends on a turn's retrieval (search + classifier), on the demo KB.
  const region = ((await (await fetch(`${base}/readyz`)).json()) as { region: string }).region;
  retrieval = await retrievalCost(base, region);
  const regions = ["sam", "afr", "me"];
  for (const [i, size] of REPLICA_SIZES.entries()) replicas.push(await measureReplica(stack, ADMIN_KEY, size, regions[i]!));
} finally {
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

const floorOf = (row: Row) => (row.floor ? rows.find((r) => r.figure === row.floor && r.connections === row.connections) : undefined);
const figure = (name: string, connections: number) => rows.find((r) => r.figure === name && r.connections === connections)?.summary;
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : Math.round((a / b) * 100) / 100);
/** The turn path's targets, each a ratio to its floor measured in this run. */
const targets = [
  { target: "WebSocket turn p50 / floor p50, 1 connection", value: ratio(figure("turn over WebSocket", 1)?.p50, figure(FLOOR, 1)?.p50), goal: "≤ 2" },
  { target: "WebSocket turn p99 / floor p99, 10 connections", value: ratio(figure("turn over WebSocket", 10)?.p99, figure(FLOOR, 10)?.p99), goal: "≤ 3" },
  { target: "HTTP turn p50 / trivial route p50, 1 connection", value: ratio(figure("turn over HTTP", 1)?.p50, figure("trivial route", 1)?.p50), goal: "≤ 2" },
  { target: "WebSocket turns/s / floor messages/s, 50 connections", value: ratio(figure("turn over WebSocket", 50)?.perSecond, figure(FLOOR, 50)?.perSecond), goal: "≥ 0.5" },
];
console.log("\nChat turns and their floors (latency in ms; ratios to the floor at the same number of connections: the DO floor for WebSocket turns, the trivial route for HTTP):");
console.table(
  rows.map((row) => {
    const floor = floorOf(row)?.summary;
    return {
      figure: row.figure,
      conns: row.connections,
      "p50 ms": row.summary.p50.toFixed(2),
      "p99 ms": row.summary.p99.toFixed(2),
      "per s": row.summary.perSecond.toFixed(0),
      "p50/floor": floor ? (row.summary.p50 / floor.p50).toFixed(2) : "floor",
      "p99/floor": floor ? (row.summary.p99 / floor.p99).toFixed(2) : "floor",
    };
  }),
);
console.log("\nTargets (ratios to the floors above):");
console.table(targets);
console.log("\nWhat ops events cost a WebSocket turn (events on minus off, ms; the machine's noise applies):");
console.table(
  LEVELS.map((c) => {
    const on = figure("turn over WebSocket", c);
    const off = figure(EVENTS_OFF, c);
    return { conns: c, "p50 on−off": on && off ? (on.p50 - off.p50).toFixed(2) : "–", "p99 on−off": on && off ? (on.p99 - off.p99).toFixed(2) : "–", "turns/s on/off": on && off ? (on.perSecond / off.perSecond).toFixed(2) : "–" };
  }),
);
console.log(`Fault cleared → first normal reply: ${recoveryMs === null ? "not within 60 s" : `${(recoveryMs / 1000).toFixed(2)} s`} (breaker cool-down included)`);
if (retrieval) {
  console.log(
    `\nOne retrieval inside the ${retrieval.region} replica (demo KB, search + classifier): p50 ${retrieval.p50.toFixed(3)} ms, p99 ${retrieval.p99.toFixed(3)} ms → at most ~${Math.round(retrieval.perSecond)} retrievals/s per replica DO (one thread)`,
  );
}
// What redaction costs a turn: the pipeline redacts a message for the replica, the caches,
// memory and the LLM (three calls at most), pure code timed here in Node.
const redaction = (() => {
  const texts = [...QUESTIONS, "My card is 4111 1111 1111 1111 and my email ada@example.com, where is order #A1234567?", "我的手机号是 138 0013 8000，订单 20240315123456 什么时候到？"];
  const runs: number[] = [];
  for (let round = 0; round < 200; round++) {
    const started = performance.now();
    for (const text of texts) redact(text);
    runs.push(((performance.now() - started) / texts.length) * 1000);
  }
  return summarise(runs, 0).p50;
})();
console.log(`\nPII redaction: ${redaction.toFixed(1)} µs per message at p50 (a turn redacts each message up to three times)`);
console.log("\nReplica search inside the Durable Object (per query, no HTTP or RPC):");
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
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), quick, node: process.version, seconds: SECONDS, rows, targets, recoveryMs, retrieval, redactionMicros: redaction, replicas }, null, 2));
console.log(`Wrote ${file} in ${((performance.now() - began) / 1000).toFixed(0)} s.`);

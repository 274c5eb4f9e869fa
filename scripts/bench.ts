// `npm run bench [-- --quick] [--only <section>…] [--sizes <n>,…]`: starts the local stack,
// seeds the KB and measures in one run, so that ratios hold on a noisy machine: the floors (a
// trivial route, sequential and with 10 and 50 connections; the WebSocket heartbeat; a Durable
// Object that INSERTs and echoes each WebSocket message, at 1, 10 and 50 connections), chat
// turns answered from the KB over WebSocket (with ops events on and off) and HTTP for 1, 10
// and 50 conversations, the same in degraded mode (the region's replica down), the time from
// a fault clearing to the first normal reply, and replica sync and search at 1k, 10k and 100k
// articles. Traffic goes to 127.0.0.1 only. Each section prints its figures (with each
// figure's ratio to its floor) as soon as it finishes and is written to
// bench/results/<date>.json at once; a section that fails is recorded as failed, the others
// still run, and the run exits non-zero. `--only replica --sizes 100000` runs one size alone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createConversation, SocketSession } from "./bench/clients.ts";
import { floorTurns, heartbeat, httpTurns, QUESTIONS, trivialRoute, wsTurns } from "./bench/load.ts";
import { measureReplica, retrievalCost, syntheticKb, type ReplicaFigures } from "./bench/replica.ts";
import { BenchReport } from "./bench/report.ts";
import { summarise, type Summary } from "./bench/stats.ts";
import { redact } from "../src/privacy/redact.ts";
import { freePort, LOAD_TOOL_LIMITS, ROOT, startStack, warmReplicas } from "./stack.ts";

const SECTIONS = ["floors", "turns", "degraded", "retrieval", "redaction", "replica"] as const;
type Section = (typeof SECTIONS)[number];

const { values: args } = parseArgs({ options: { quick: { type: "boolean", default: false }, only: { type: "string", multiple: true }, sizes: { type: "string" } } });
const quick = args.quick!;
const only = (args.only ?? []).flatMap((s) => s.split(","));
const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length) throw new Error(`unknown section ${unknown.join(", ")}: one of ${SECTIONS.join(", ")}`);
const runs = (section: Section) => !only.length || only.includes(section);
const SECONDS = quick ? 1 : 4;
const LEVELS = [1, 10, 50];
const REPLICA_SIZES = args.sizes ? args.sizes.split(",").map(Number) : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
if (REPLICA_SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes: article counts, e.g. 1000,100000");
/** Regions no conversation of this run is in, nor their neighbours (see NEIGHBOUR). */
const REPLICA_REGIONS = ["sam", "afr", "me"];
if (REPLICA_SIZES.length > REPLICA_REGIONS.length) throw new Error(`--sizes: at most ${REPLICA_REGIONS.length}`);
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

/** Every row measured so far: later sections' ratios refer to earlier sections' floors. */
const rows: Row[] = [];
const began = performance.now();
const step = (label: string) => process.stdout.write(`  [${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${label}\n`);

async function measure(into: Row[], figure: string, connections: number, floor: string | null, run: () => Promise<Summary>): Promise<void> {
  step(`${figure}, ${connections} connection${connections === 1 ? "" : "s"}`);
  const row = { figure, connections, summary: await run(), floor };
  into.push(row);
  rows.push(row);
}

const figure = (name: string, connections: number) => rows.find((r) => r.figure === name && r.connections === connections)?.summary;
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : Math.round((a / b) * 100) / 100);

function printRows(title: string, section: Row[]): void {
  console.log(`\n${title}`);
  console.table(
    section.map((row) => {
      const floor = row.floor ? figure(row.floor, row.connections) : undefined;
      const of = (a: number, b: number | undefined) => (!row.floor ? "floor" : b === undefined ? "–" : (a / b).toFixed(2));
      return {
        figure: row.figure,
        conns: row.connections,
        "p50 ms": row.summary.p50.toFixed(2),
        "p99 ms": row.summary.p99.toFixed(2),
        "per s": row.summary.perSecond.toFixed(0),
        "p50/floor": of(row.summary.p50, floor?.p50),
        "p99/floor": of(row.summary.p99, floor?.p99),
      };
    }),
  );
}

/** The turn path's targets, each a ratio to its floor measured in this run. */
function targets() {
  return [
    { target: "WebSocket turn p50 / floor p50, 1 connection", value: ratio(figure("turn over WebSocket", 1)?.p50, figure(FLOOR, 1)?.p50), goal: "≤ 2" },
    { target: "WebSocket turn p99 / floor p99, 10 connections", value: ratio(figure("turn over WebSocket", 10)?.p99, figure(FLOOR, 10)?.p99), goal: "≤ 3" },
    { target: "HTTP turn p50 / trivial route p50, 1 connection", value: ratio(figure("turn over HTTP", 1)?.p50, figure("trivial route", 1)?.p50), goal: "≤ 2" },
    { target: "WebSocket turns/s / floor messages/s, 50 connections", value: ratio(figure("turn over WebSocket", 50)?.perSecond, figure(FLOOR, 50)?.perSecond), goal: "≥ 0.5" },
  ];
}

const stamp = new Date().toISOString();
console.log(`Holdfast benchmark (${quick ? "quick" : "full"}: ${SECONDS} s per figure${only.length ? `; only ${only.join(", ")}` : ""}).`);
// The synthetic KBs are built (or found in .data/bench) before the stack starts: building
// one keeps this process from reading its sockets for minutes (see syntheticKb).
const kbFiles = new Map<number, string>();
if (runs("replica")) {
  for (const size of REPLICA_SIZES) {
    step(`synthetic KB of ${size} articles`);
    kbFiles.set(size, await syntheticKb(size));
  }
}
const stateDir = mkdtempSync(join(tmpdir(), "holdfast-bench-"));
console.log("Starting the local stack…");
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
const report = new BenchReport(resolve(ROOT, "bench/results", `${stamp.replace(/[:.]/g, "-")}.json`), {
  meta: { date: stamp, quick, node: process.version, seconds: SECONDS, only: only.length ? only : null },
  // Why a section failed is often the Worker's: its state and last output go with the error.
  diagnose: () => {
    const exited = stack.worker.process.exitCode ?? stack.worker.process.signalCode;
    const tail = stack.worker.output().split("\n").filter((l) => l.trim() && !l.includes("[wrangler:info]")).slice(-15).join("\n");
    return `wrangler dev ${exited === null ? "still running" : `exited (${exited})`}; its last lines:\n${tail}`;
  },
});
const base = stack.url;
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json", ...init.headers } });
try {
  // Warm up: the region's replica syncs and trains, and every bench question is answered once.
  await warmReplicas(base);
  const warm = await SocketSession.open(base, await createConversation(base));
  for (let i = 0; i < 3; i++) for (const q of QUESTIONS) await warm.turn(q);
  warm.close();

  if (runs("floors")) {
    await report.section(
      "floors",
      async () => {
        const section: Row[] = [];
        for (const c of LEVELS) await measure(section, "trivial route", c, null, () => trivialRoute(base, c, SECONDS));
        await measure(section, "heartbeat", 1, null, () => heartbeat(base, SECONDS));
        for (const c of LEVELS) await measure(section, FLOOR, c, null, () => floorTurns(base, c, SECONDS));
        return { rows: section };
      },
      ({ rows }) => printRows("Floors (latency in ms):", rows),
    );
  }

  if (runs("turns")) {
    await report.section(
      "turns",
      async () => {
        const section: Row[] = [];
        for (const c of LEVELS) await measure(section, "turn over WebSocket", c, FLOOR, () => wsTurns(base, c, SECONDS));
        // Every question new: no retrieval cache, every turn calls the replica.
        for (const c of LEVELS) await measure(section, "turn over WebSocket, new questions", c, FLOOR, () => wsTurns(base, c, SECONDS, undefined, true));
        // What ops events cost a turn: the same turns with events switched off (a dev-only switch).
        await fetch(`${base}/v1/dev/ops-events`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ on: false }) });
        try {
          for (const c of LEVELS) await measure(section, EVENTS_OFF, c, FLOOR, () => wsTurns(base, c, SECONDS));
        } finally {
          await fetch(`${base}/v1/dev/ops-events`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ on: null }) });
        }
        for (const c of LEVELS) await measure(section, "turn over HTTP", c, "trivial route", () => httpTurns(base, c, SECONDS));
        return { rows: section, targets: targets() };
      },
      ({ rows, targets }) => {
        printRows("Chat turns (latency in ms; ratios to the floor at the same number of connections: the DO floor for WebSocket turns, the trivial route for HTTP):", rows);
        console.log("\nTargets (ratios to the floors):");
        console.table(targets);
        console.log("\nWhat ops events cost a WebSocket turn (events on minus off, ms; the machine's noise applies):");
        console.table(
          LEVELS.map((c) => {
            const on = figure("turn over WebSocket", c);
            const off = figure(EVENTS_OFF, c);
            return { conns: c, "p50 on−off": on && off ? (on.p50 - off.p50).toFixed(2) : "–", "p99 on−off": on && off ? (on.p99 - off.p99).toFixed(2) : "–", "turns/s on/off": on && off ? (on.perSecond / off.perSecond).toFixed(2) : "–" };
          }),
        );
      },
    );
  }

  if (runs("degraded")) {
    await report.section(
      "degraded",
      async () => {
        const section: Row[] = [];
        const degraded = (meta: Record<string, unknown>) => {
          if (meta.mode !== "degraded") throw new Error("a reply during the fault was not degraded");
        };
        await admin("/v1/admin/faults", { method: "PUT", body: JSON.stringify({ faults: ["replica-down"] }) });
        try {
          for (const c of LEVELS) await measure(section, "degraded turn over WebSocket", c, FLOOR, () => wsTurns(base, c, SECONDS, degraded));
          for (const c of LEVELS) await measure(section, "degraded turn over HTTP", c, "trivial route", () => httpTurns(base, c, SECONDS));
        } finally {
          step("recovery: clearing the fault, asking until a reply is normal again");
          await admin("/v1/admin/faults", { method: "DELETE" });
        }
        const cleared = performance.now();
        let recoveryMs: number | null = null;
        const probe = await SocketSession.open(base, await createConversation(base));
        for (let i = 0; recoveryMs === null && performance.now() - cleared < 60_000; i++) {
          let normal = false;
          await probe.turn(QUESTIONS[i % QUESTIONS.length]!, (meta) => (normal = meta.mode === "normal"));
          if (normal) recoveryMs = performance.now() - cleared;
          else await new Promise((r) => setTimeout(r, 100));
        }
        probe.close();
        return { rows: section, recoveryMs };
      },
      ({ rows, recoveryMs }) => {
        printRows("Degraded mode (the region's replica down; ratios to the same floors):", rows);
        console.log(`Fault cleared → first normal reply: ${recoveryMs === null ? "not within 60 s" : `${(recoveryMs / 1000).toFixed(2)} s`} (breaker cool-down included)`);
      },
    );
  }

  if (runs("retrieval")) {
    await report.section(
      "retrieval",
      async () => retrievalCost(base, ((await (await fetch(`${base}/readyz`)).json()) as { region: string }).region),
      (r) =>
        console.log(
          `\nOne retrieval inside the ${r.region} replica (demo KB, search + classifier): p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms → at most ~${Math.round(r.perSecond)} retrievals/s per replica DO (one thread)`,
        ),
    );
  }

  if (runs("redaction")) {
    // What redaction costs a turn: the pipeline redacts a message for the replica, the caches,
    // memory and the LLM (three calls at most), pure code timed here in Node.
    await report.section(
      "redaction",
      async () => {
        const texts = [...QUESTIONS, "My card is 4111 1111 1111 1111 and my email ada@example.com, where is order #A1234567?", "我的手机号是 138 0013 8000，订单 20240315123456 什么时候到？"];
        const samples: number[] = [];
        for (let round = 0; round < 200; round++) {
          const started = performance.now();
          for (const text of texts) redact(text);
          samples.push(((performance.now() - started) / texts.length) * 1000);
        }
        return { microsP50: summarise(samples, 0).p50 };
      },
      ({ microsP50 }) => console.log(`\nPII redaction: ${microsP50.toFixed(1)} µs per message at p50 (a turn redacts each message up to three times)`),
    );
  }

  if (runs("replica")) {
    // Each size is its own section: a size that fails keeps the figures of those before it.
    for (const [i, size] of REPLICA_SIZES.entries()) {
      await report.section(`replica-${size}`, () => measureReplica(stack, ADMIN_KEY, kbFiles.get(size)!, size, REPLICA_REGIONS[i]!), (r: ReplicaFigures) => {
        console.log(`\nReplica of ${r.articles} articles: a first sync, in chunks (the longest a request waited on the replica meanwhile), and search per query inside the Durable Object (no HTTP or RPC):`);
        console.table([
          {
            articles: r.articles,
            "first sync s": (r.firstSyncMs / 1000).toFixed(1),
            "longest wait s": (r.longestWaitMs / 1000).toFixed(2),
            "Worker RSS MB": r.workerRssMb ? `${r.workerRssMb.before.toFixed(0)} → ${r.workerRssMb.peak.toFixed(0)}` : "–",
            "size MB": (r.sizeBytes / 1e6).toFixed(1),
            "search p50 ms": r.search.p50.toFixed(3),
            "search p99 ms": r.search.p99.toFixed(3),
          },
        ]);
      });
    }
  }
} catch (err) {
  // The stack or its warm-up failed: nothing could be measured after it.
  await report.section("setup", () => Promise.reject(err), () => {});
} finally {
  await stack.stop();
  rmSync(stateDir, { recursive: true, force: true });
}

const failed = report.failed();
report.write();
console.log(`\nWrote ${report.file} in ${((performance.now() - began) / 1000).toFixed(0)} s${failed.length ? `; FAILED: ${failed.join(", ")}` : "."}`);
process.exitCode = failed.length ? 1 : 0;

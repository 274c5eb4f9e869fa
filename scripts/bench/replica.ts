// Replica figures for the benchmark: for each KB size, point the running stack's KB primary
// at a synthetic KB of that size, time a first sync of it by a replica that has never
// synced, note the longest a status request waited meanwhile (a sync chunk holds the
// replica's thread; under wrangler dev, every object's) and the Worker's memory, read the
// copy's size on disk, then time searches inside the replica (per query, without HTTP or
// RPC overhead).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { importArticles } from "../../src/kb/articles.ts";
import { startHranaServer } from "../hrana/server.ts";
import { migrateKb, openKb } from "../kb.ts";
import { replicaStatus, ROOT, type Stack } from "../stack.ts";
import { fresh, QUESTIONS } from "./load.ts";
import { summarise, type Summary } from "./stats.ts";
import { syntheticArticles, testQueries } from "./synthetic-kb.ts";

const CACHE = resolve(ROOT, ".data/bench");

/** A first sync of 100k articles takes about two minutes here; allow for a slow machine. */
const SYNC_TIMEOUT_MS = 15 * 60_000;

export interface ReplicaFigures {
  articles: number;
  firstSyncMs: number;
  /** The longest a status request waited during the sync: how long one chunk held the replica. */
  longestWaitMs: number;
  sizeBytes: number;
  /** Resident memory of the Worker's workerd processes before the sync and at its peak (Linux only). */
  workerRssMb: { before: number; peak: number } | null;
  search: Summary;
}

/**
 * A KB file holding `count` synthetic articles, built once and cached under .data/bench.
 * Building 100k articles keeps this process busy for a minute or more (the libSQL driver
 * works synchronously), so the bench builds them before it starts the stack: a process
 * that does not read its sockets for that long finds the Worker has closed its idle
 * keep-alive connections, and its next request fails with "other side closed".
 */
export async function syntheticKb(count: number): Promise<string> {
  const path = join(CACHE, `synthetic-${count}.db`);
  if (existsSync(path)) return path;
  mkdirSync(CACHE, { recursive: true });
  const building = `${path}.building`;
  rmSync(building, { force: true });
  const db = openKb(`file:${building}`);
  await migrateKb(db);
  await importArticles(db, syntheticArticles(count), Date.now());
  db.$client.close();
  renameSync(building, path);
  return path;
}

/** The summed resident memory (MB) of the workerd processes in the Worker's process group, or null off Linux. */
function workerRssMb(stack: Stack): number | null {
  const group = stack.worker.process.pid;
  if (!group || !existsSync("/proc")) return null;
  let kb = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [comm, rest] = [stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), stat.slice(stat.lastIndexOf(")") + 2).split(" ")];
      if (comm !== "workerd" || Number(rest[2]) !== group) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // The process ended while being read.
    }
  }
  return kb / 1024;
}

/** Syncs region `region`'s (never synced) replica from the synthetic KB at `path`, then times searches in it. */
export async function measureReplica(stack: Stack, adminKey: string, path: string, count: number, region: string, queries = 300): Promise<ReplicaFigures> {
  // Same port, another file: the Worker's LIBSQL_URL stays valid.
  const port = Number(new URL(stack.primary.url).port);
  await stack.primary.close();
  stack.primary = await startHranaServer({ path, port, authToken: stack.primary.authToken });
  process.stdout.write(`  replica, ${count} articles: syncing…`);
  const before = workerRssMb(stack);
  let peak = before;
  const started = performance.now();
  // The sync request pulls one bounded chunk; the replica goes on by itself, so poll its status.
  const res = await fetch(`${stack.url}/v1/admin/kb/sync?region=${region}`, { method: "POST", headers: { Authorization: `Bearer ${adminKey}` } });
  if (!res.ok) throw new Error(`sync request: ${res.status} ${await res.text()}`);
  let longestWaitMs = performance.now() - started;
  let status = await replicaStatus(stack.url, region);
  while (status.sync.state === "syncing" && performance.now() - started < SYNC_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 200));
    const asked = performance.now();
    status = await replicaStatus(stack.url, region);
    longestWaitMs = Math.max(longestWaitMs, performance.now() - asked);
    const rss = workerRssMb(stack);
    if (rss !== null && peak !== null) peak = Math.max(peak, rss);
  }
  const firstSyncMs = performance.now() - started;
  if (status.failures || status.sync.state !== "idle" || status.articles !== count) {
    throw new Error(`replica sync of ${count} articles failed: ${JSON.stringify({ sync: status.sync, articles: status.articles, failures: status.failures, lastError: status.lastError })}`);
  }
  process.stdout.write(` searching…`);
  const all = testQueries(queries);
  const timings: number[] = [];
  for (let i = 0; i < all.length; i += 250) {
    const body = JSON.stringify({ queries: all.slice(i, i + 250) });
    const r = await fetch(`${stack.url}/v1/dev/replicas/${region}/search-timing`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    timings.push(...((await r.json()) as { timings: Array<{ ms: number }> }).timings.map((t) => t.ms));
  }
  // Per-query times measured inside the replica; wall time is their sum.
  const search = summarise(timings, timings.reduce((a, b) => a + b, 0));
  process.stdout.write(` done\n`);
  return { articles: count, firstSyncMs, longestWaitMs, sizeBytes: status.sizeBytes, workerRssMb: before === null || peak === null ? null : { before, peak }, search };
}

/** What one retrieval (a turn's call to its replica) costs inside a warm replica DO, for the questions the bench asks. */
export async function retrievalCost(base: string, region: string): Promise<{ region: string; p50: number; p99: number; perSecond: number }> {
  const queries = Array.from({ length: 200 }, (_, i) => fresh(QUESTIONS[i % QUESTIONS.length]!, i));
  const r = await fetch(`${base}/v1/dev/replicas/${region}/search-timing`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ queries, what: "retrieve" }) });
  const ms = ((await r.json()) as { timings: Array<{ ms: number }> }).timings.map((t) => t.ms);
  const summary = summarise(ms, ms.reduce((a, b) => a + b, 0));
  return { region, p50: summary.p50, p99: summary.p99, perSecond: 1000 / summary.mean };
}

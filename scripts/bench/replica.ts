// Replica figures for the benchmark: for each KB size, point the running stack's KB primary
// at a synthetic KB of that size, time one region's first sync of it, read its size on
// disk, then time searches inside the replica (per query, without HTTP or RPC overhead).
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { importArticles } from "../../src/kb/articles.ts";
import { startHranaServer } from "../hrana/server.ts";
import { migrateKb, openKb } from "../kb.ts";
import type { Stack } from "../stack.ts";
import { ROOT } from "../stack.ts";
import { fresh, QUESTIONS } from "./load.ts";
import { summarise, type Summary } from "./stats.ts";
import { syntheticArticles, testQueries } from "./synthetic-kb.ts";

const CACHE = resolve(ROOT, ".data/bench");

/** A first sync of 100k articles takes about half a minute here; allow for a slow machine. */
const SYNC_TIMEOUT_MS = 10 * 60_000;

interface ReplicaState {
  region: string;
  shard: number;
  articles: number;
  sizeBytes: number;
  failures: number;
  sync: { state: "idle" | "syncing" };
}

export interface ReplicaFigures {
  articles: number;
  firstSyncMs: number;
  sizeBytes: number;
  search: Summary;
}

/** A KB file holding `count` synthetic articles, built once and cached under .data/bench. */
async function syntheticKb(count: number): Promise<string> {
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

export async function measureReplica(stack: Stack, adminKey: string, count: number, region: string, queries = 300): Promise<ReplicaFigures> {
  process.stdout.write(`  replica, ${count} articles: building the KB…`);
  const path = await syntheticKb(count);
  // Same port, another file: the Worker's LIBSQL_URL stays valid.
  const port = Number(new URL(stack.primary.url).port);
  await stack.primary.close();
  stack.primary = await startHranaServer({ path, port, authToken: stack.primary.authToken });
  process.stdout.write(` syncing…`);
  const auth = { Authorization: `Bearer ${adminKey}` };
  const started = performance.now();
  // The sync request pulls one bounded chunk; the replica goes on by itself, so poll its status.
  const first = (await (await fetch(`${stack.url}/v1/admin/kb/sync?region=${region}`, { method: "POST", headers: auth })).json()) as { replicas: ReplicaState[] };
  let status = first.replicas[0];
  while (status && status.sync.state === "syncing" && performance.now() - started < SYNC_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 200));
    const all = (await (await fetch(`${stack.url}/v1/admin/kb/status`, { headers: auth })).json()) as { replicas: ReplicaState[] };
    status = all.replicas.find((r) => r.region === region && r.shard === 0);
  }
  const firstSyncMs = performance.now() - started;
  if (!status || status.failures || status.sync.state !== "idle" || status.articles !== count) throw new Error(`replica sync of ${count} articles failed: ${JSON.stringify(status)}`);
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
  return { articles: count, firstSyncMs, sizeBytes: status.sizeBytes, search };
}

/** What one retrieval (a turn's call to its replica) costs inside a warm replica DO, for the questions the bench asks. */
export async function retrievalCost(base: string, region: string): Promise<{ region: string; p50: number; p99: number; perSecond: number }> {
  const queries = Array.from({ length: 200 }, (_, i) => fresh(QUESTIONS[i % QUESTIONS.length]!, i));
  const r = await fetch(`${base}/v1/dev/replicas/${region}/search-timing`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ queries, what: "retrieve" }) });
  const ms = ((await r.json()) as { timings: Array<{ ms: number }> }).timings.map((t) => t.ms);
  const summary = summarise(ms, ms.reduce((a, b) => a + b, 0));
  return { region, p50: summary.p50, p99: summary.p99, perSecond: 1000 / summary.mean };
}

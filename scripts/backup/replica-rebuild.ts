// The last resort, when every snapshot is lost: rebuild a primary from a region's replica.
// A replica holds the published articles as of its last sync, read here through the admin
// API (GET /v1/admin/kb/replicas/:region/articles, which works while the primary is down)
// and imported into a fresh, migrated libSQL file. What a replica never held cannot come
// back, and the report says so.
import { rmSync } from "node:fs";
import { ArticleInputSchema, type ArticleInput } from "../../src/kb/article.ts";
import { importArticles, kbVersion } from "../../src/kb/articles.ts";
import { migrateKb, openKb } from "../kb.ts";

interface ReplicaPage {
  replica: { region: string; kbVersion: number; lastSyncAt: string | null; stale: boolean };
  articles: Array<ArticleInput & { id: string }>;
  nextAfter: string | null;
}

export interface RebuildReport {
  region: string;
  articles: number;
  /** The replica's copy: the KB version and when it last synced (changes after it are lost). */
  replicaVersion: number;
  replicaSyncedAt: string | null;
  kbVersion: number;
  /** What a replica never holds, and so cannot come back. */
  lost: string[];
}

export const NOT_IN_A_REPLICA = [
  "draft articles (replicas hold published ones only)",
  "deleted articles' tombstones and every article's version history",
  "changes made after the replica's last sync",
  "operators (create them again; the break-glass ADMIN_API_KEY still works)",
  "the audit log (a new chain starts with the rebuild; the anchored head of the old one is the proof of it)",
  "learned questions (a replica holds the active ones, but the rebuild takes articles only) and anything else kept only in the primary",
];

/** Reads every article of the region's replica (shard 0) through the admin API. */
export async function readReplica(url: string, adminKey: string, region: string): Promise<{ replica: ReplicaPage["replica"]; articles: ArticleInput[] }> {
  const articles: ArticleInput[] = [];
  let replica: ReplicaPage["replica"] | null = null;
  for (let after = ""; ; ) {
    const res = await fetch(`${url}/v1/admin/kb/replicas/${encodeURIComponent(region)}/articles?limit=500${after ? `&after=${encodeURIComponent(after)}` : ""}`, { headers: { Authorization: `Bearer ${adminKey}` } });
    if (res.status !== 200) throw new Error(`reading the ${region} replica failed: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as ReplicaPage;
    replica ??= page.replica;
    for (const a of page.articles) articles.push(ArticleInputSchema.parse({ slug: a.slug, locale: a.locale, title: a.title, answer: a.answer, questions: a.questions, tags: a.tags, status: "published" }));
    if (!page.nextAfter) break;
    after = page.nextAfter;
  }
  return { replica: replica!, articles };
}

/** Builds a fresh primary at `path` (replaced) holding the replica's published articles. */
export async function rebuildFromReplica(path: string, replica: { region: string; kbVersion: number; lastSyncAt: string | null }, articles: ArticleInput[], now: number): Promise<RebuildReport> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
  const db = openKb(`file:${path}`);
  try {
    await migrateKb(db);
    await importArticles(db, articles, now);
    return { region: replica.region, articles: articles.length, replicaVersion: replica.kbVersion, replicaSyncedAt: replica.lastSyncAt, kbVersion: await kbVersion(db), lost: NOT_IN_A_REPLICA };
  } finally {
    db.$client.close();
  }
}

// KB writes that wait for a release (KB_RELEASES=on, once the KB has a stable version). The
// live tables keep the stable KB; each write since lands in staged_articles as the article's
// candidate content (a delete as a staged delete). A release takes every pending write; its
// candidate change feed is the live feed with those articles replaced; promotion applies them
// to the live tables in one batch (bumping versions: replicas pull them as any write), and a
// rollback returns them to pending. Like the rest of the primary's writers: a read, a
// decision, one batch; no interactive transactions.
import { and, asc, count, eq, gt, inArray, notInArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { articleId, fingerprint, type Article, type ArticleInput } from "./article.ts";
import { deleteStatements, getArticle, kbEpoch, liveVersion, pageEnd, saveStatements, withQuestions, type ChangePage, type KbDatabase } from "./articles.ts";
import { learnedSince } from "./learning/questions.ts";
import { articles, exampleQuestions, kbMeta, kbReleases, stagedArticles, type StagedArticleRow } from "./schema.ts";

/** A pending write, as editors see it in the list of what the next release takes. */
export interface PendingWrite {
  id: string;
  locale: string;
  title: string;
  status: "draft" | "published";
  deleted: boolean;
  updatedAt: number;
  /** Whether the live KB has the article (a new one does not). */
  live: boolean;
}

/** An article as an editor sees it: the newest write, staged or live. */
export type EditorArticle = Article & { staged: boolean };

const PENDING = "";

function toArticle(row: StagedArticleRow): Article {
  return {
    id: row.articleId,
    slug: row.slug,
    locale: row.locale,
    title: row.title,
    answer: row.answer,
    tags: row.tags,
    questions: row.questions,
    status: row.status,
    version: row.version,
    updatedAt: row.updatedAt,
    deletedAt: row.deleted ? row.updatedAt : null,
  };
}

/** Whether the KB has a stable version to stage on: any article was ever written live. */
export async function hasStable(db: KbDatabase): Promise<boolean> {
  return (await db.select({ id: articles.id }).from(articles).limit(1)).length > 0;
}

/** The newest content of an article: a pending write, else the open release's, else live. */
export async function latestArticle(db: KbDatabase, id: string): Promise<EditorArticle | null> {
  const staged = await db.select().from(stagedArticles).where(eq(stagedArticles.articleId, id)).orderBy(asc(stagedArticles.releaseId));
  // Pending ("") sorts first.
  if (staged[0]) return { ...toArticle(staged[0]), staged: true };
  const live = await getArticle(db, id);
  return live && { ...live, staged: false };
}

function upsertPending(db: KbDatabase, article: ArticleInput, deleted: boolean, now: number) {
  const id = articleId(article.slug, article.locale);
  const fields = { slug: article.slug, locale: article.locale, title: article.title, answer: article.answer, tags: article.tags, questions: article.questions, status: article.status, deleted, updatedAt: now };
  return db
    .insert(stagedArticles)
    .values({ articleId: id, releaseId: PENDING, ...fields })
    .onConflictDoUpdate({ target: [stagedArticles.articleId, stagedArticles.releaseId], set: fields });
}

/** Stages an article's new content (create or replace) for the next release. */
export async function stageArticle(db: KbDatabase, input: ArticleInput, now: number): Promise<EditorArticle> {
  await upsertPending(db, input, false, now);
  return (await latestArticle(db, articleId(input.slug, input.locale)))!;
}

/**
 * Stages many articles in one batch (an import into a KB with a stable version): those that
 * differ from their newest content, staged or live; the same content again changes nothing.
 */
export async function stageImport(db: KbDatabase, inputs: ArticleInput[], now: number): Promise<{ created: number; updated: number; unchanged: number }> {
  const [live, staged] = await db.batch([db.select().from(articles), db.select().from(stagedArticles).orderBy(asc(stagedArticles.releaseId))]);
  const current = new Map<string, string>();
  const questions = await db.select().from(exampleQuestions);
  for (const a of withQuestions(live.filter((r) => r.deletedAt === null), questions)) current.set(a.id, fingerprint(a));
  // Pending rows sort first: the newest content of each article wins.
  for (const row of [...staged].reverse()) current.set(row.articleId, row.deleted ? "deleted" : fingerprint(row));
  const result = { created: 0, updated: 0, unchanged: 0 };
  const writes = inputs.filter((input) => {
    const before = current.get(articleId(input.slug, input.locale));
    if (before === fingerprint(input)) result.unchanged++;
    else if (before === undefined || before === "deleted") result.created++;
    else result.updated++;
    return before !== fingerprint(input);
  });
  const [first, ...rest] = writes.map((input) => upsertPending(db, input, false, now));
  if (first) await db.batch([first, ...rest]);
  return result;
}

/** Stages a change of an existing article; null when there is none (or it is deleted). */
export async function stageUpdate(db: KbDatabase, id: string, patch: Partial<Omit<ArticleInput, "slug" | "locale">>, now: number): Promise<EditorArticle | null> {
  const current = await latestArticle(db, id);
  if (!current || current.deletedAt !== null) return null;
  const next = { ...current, ...patch };
  if (fingerprint(next) === fingerprint(current)) return current;
  return stageArticle(db, next, now);
}

/**
 * Stages a delete; false when there is no such article. An article that exists only as a
 * pending write (never live, in no release) simply loses it.
 */
export async function stageDelete(db: KbDatabase, id: string, now: number): Promise<boolean> {
  const current = await latestArticle(db, id);
  if (!current || current.deletedAt !== null) return false;
  const [live, inRelease] = await db.batch([
    db.select({ id: articles.id }).from(articles).where(and(eq(articles.id, id), sql`${articles.deletedAt} IS NULL`)),
    db.select({ id: stagedArticles.articleId }).from(stagedArticles).where(and(eq(stagedArticles.articleId, id), sql`${stagedArticles.releaseId} <> ''`)),
  ]);
  if (!live.length && !inRelease.length) await db.delete(stagedArticles).where(and(eq(stagedArticles.articleId, id), eq(stagedArticles.releaseId, PENDING)));
  else await upsertPending(db, current, true, now);
  return true;
}

/** What the next release would take, by article id. */
export async function pendingWrites(db: KbDatabase): Promise<PendingWrite[]> {
  const rows = await db
    .select({
      id: stagedArticles.articleId,
      locale: stagedArticles.locale,
      title: stagedArticles.title,
      status: stagedArticles.status,
      deleted: stagedArticles.deleted,
      updatedAt: stagedArticles.updatedAt,
      live: sql<number>`EXISTS (SELECT 1 FROM articles a WHERE a.id = ${stagedArticles.articleId} AND a.deleted_at IS NULL)`,
    })
    .from(stagedArticles)
    .where(eq(stagedArticles.releaseId, PENDING))
    .orderBy(asc(stagedArticles.articleId));
  return rows.map((r) => ({ ...r, live: Boolean(r.live) }));
}

/** Discards pending writes (all, or one article's); how many went. */
export async function discardPending(db: KbDatabase, id?: string): Promise<number> {
  const gone = await db
    .delete(stagedArticles)
    .where(and(eq(stagedArticles.releaseId, PENDING), id ? eq(stagedArticles.articleId, id) : undefined))
    .returning({ id: stagedArticles.articleId });
  return gone.length;
}

/** How many writes are pending. */
export async function pendingCount(db: KbDatabase): Promise<number> {
  return (await db.select({ n: count() }).from(stagedArticles).where(eq(stagedArticles.releaseId, PENDING)))[0]?.n ?? 0;
}

const counter = sql<number>`(SELECT value FROM kb_meta WHERE key = 'version')`;

function bump(db: KbDatabase) {
  return db.insert(kbMeta).values({ key: "version", value: 1 }).onConflictDoUpdate({ target: kbMeta.key, set: { value: sql`${kbMeta.value} + 1` } });
}

export interface KbReleaseOpening {
  id: string;
  percent: number;
  guard: Record<string, unknown>;
  openedBy: string;
  now: number;
}

/**
 * Opens a KB release of every pending write, in one batch: each takes a version of the
 * candidate feed (reserved from the KB-wide counter, so no live write ever takes it) and the
 * release row records the stable and candidate versions. The partial unique index on open
 * releases makes a second opening fail (the caller maps it to `release_open`).
 */
export async function openKbRelease(db: KbDatabase, opening: KbReleaseOpening): Promise<{ stableVersion: number; candidateVersion: number; articles: number } | null> {
  const pending = await db.select({ seq: stagedArticles.seq }).from(stagedArticles).where(eq(stagedArticles.releaseId, PENDING)).orderBy(asc(stagedArticles.seq));
  if (!pending.length) return null;
  const stamps = pending.flatMap(({ seq }): BatchItem<"sqlite">[] => [bump(db), db.update(stagedArticles).set({ releaseId: opening.id, version: counter }).where(and(eq(stagedArticles.seq, seq), eq(stagedArticles.releaseId, PENDING)))]);
  await db.batch([
    // First, so that a second open release fails before anything is stamped.
    db.insert(kbReleases).values({
      id: opening.id,
      kind: "kb",
      state: "canary",
      stableVersion: sql`(SELECT ${liveVersion})`,
      candidateVersion: 0,
      percent: opening.percent,
      guard: opening.guard,
      articles: pending.length,
      openedAt: opening.now,
      openedBy: opening.openedBy,
    }),
    ...stamps,
    db.update(kbReleases).set({ candidateVersion: counter }).where(eq(kbReleases.id, opening.id)),
  ]);
  const row = (await db.select().from(kbReleases).where(eq(kbReleases.id, opening.id)))[0]!;
  return { stableVersion: row.stableVersion, candidateVersion: row.candidateVersion, articles: row.articles };
}

/** The statements that apply a release's staged writes to the live KB. */
export async function promotionStatements(db: KbDatabase, releaseId: string, now: number) {
  const rows = await db.select().from(stagedArticles).where(eq(stagedArticles.releaseId, releaseId)).orderBy(asc(stagedArticles.seq));
  const live = new Set((await db.select({ id: articles.id }).from(articles).where(and(inArray(articles.id, rows.map((r) => r.articleId)), sql`${articles.deletedAt} IS NULL`))).map((r) => r.id));
  const writes = rows.flatMap((row): BatchItem<"sqlite">[] => {
    if (!row.deleted) return [...saveStatements(db, toArticle(row), now)];
    return live.has(row.articleId) ? [...deleteStatements(db, row.articleId, now)] : [];
  });
  return [...writes, db.delete(stagedArticles).where(eq(stagedArticles.releaseId, releaseId))] as BatchItem<"sqlite">[];
}

/**
 * The statements that return a release's writes to pending: a write made since (pending for
 * the same article) is newer and wins.
 */
export function returnStatements(db: KbDatabase, releaseId: string) {
  const newer = db.select({ id: stagedArticles.articleId }).from(stagedArticles).where(eq(stagedArticles.releaseId, PENDING));
  return [
    db.delete(stagedArticles).where(and(eq(stagedArticles.releaseId, releaseId), inArray(stagedArticles.articleId, newer))),
    db.update(stagedArticles).set({ releaseId: PENDING, version: 0 }).where(eq(stagedArticles.releaseId, releaseId)),
  ] as const;
}

/**
 * The candidate change feed of an open release: the live feed with the release's articles
 * replaced by their staged content (at the versions reserved for them), learned questions as
 * they are. A candidate replica pulls it from scratch, so both versions never share a copy.
 */
export async function candidateChangesSince(db: KbDatabase, releaseId: string, cursor: number, limit: number): Promise<ChangePage> {
  const overlay = db.select({ id: stagedArticles.articleId }).from(stagedArticles).where(eq(stagedArticles.releaseId, releaseId));
  const [meta, rows, staged] = await db.batch([
    db.select({ live: liveVersion, epoch: kbEpoch, candidate: sql<number>`COALESCE((SELECT MAX(version) FROM staged_articles WHERE release_id = ${releaseId}), 0)` }).from(kbMeta).limit(1),
    db.select().from(articles).where(and(gt(articles.version, cursor), notInArray(articles.id, overlay))).orderBy(asc(articles.version)).limit(limit),
    db.select().from(stagedArticles).where(and(eq(stagedArticles.releaseId, releaseId), gt(stagedArticles.version, cursor))).orderBy(asc(stagedArticles.version)).limit(limit),
  ]);
  const questions = rows.length ? await db.select().from(exampleQuestions).where(inArray(exampleQuestions.articleId, rows.map((r) => r.id))).orderBy(asc(exampleQuestions.articleId), asc(exampleQuestions.position)) : [];
  const learned = await learnedSince(db, cursor, limit);
  const end = pageEnd([rows, staged, learned], limit);
  const changes = [...withQuestions(rows.filter((r) => r.version <= end), questions), ...staged.filter((s) => s.version <= end).map(toArticle)].sort((a, b) => a.version - b.version);
  return { version: Math.max(meta[0]?.live ?? 0, meta[0]?.candidate ?? 0), epoch: meta[0]?.epoch ?? 0, changes, learned: learned.filter((l) => l.version <= end), more: end !== Infinity };
}

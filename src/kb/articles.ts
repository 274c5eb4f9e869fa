// Reads and writes of the KB system of record through drizzle. Shared by the Worker
// (@libsql/client/web against Turso/sqld/the dev endpoint) and the Node CLI (file: URLs).
// Every write bumps the KB-wide version in the same transaction and stamps it on the article.
import { and, asc, count, eq, gt, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql/driver-core";
import { articleId, fingerprint, type Article, type ArticleInput } from "./article.ts";
import { learnedSince, type LearnedChange } from "./learning/questions.ts";
import * as schema from "./schema.ts";

const { articles, exampleQuestions, kbMeta } = schema;

export type KbDatabase = LibSQLDatabase<typeof schema>;
type KbTransaction = Parameters<Parameters<KbDatabase["transaction"]>[0]>[0];
type KbExecutor = KbDatabase | KbTransaction;

/** The version the current write transaction just took. */
const currentVersion: SQL<number> = sql`(SELECT value FROM kb_meta WHERE key = 'version')`;

function bumpVersion(db: KbExecutor) {
  return db
    .insert(kbMeta)
    .values({ key: "version", value: 1 })
    .onConflictDoUpdate({ target: kbMeta.key, set: { value: sql`${kbMeta.value} + 1` } });
}

/** The statements that create or replace an article (and undelete it). */
export function saveStatements(db: KbExecutor, input: ArticleInput, now: number) {
  const id = articleId(input.slug, input.locale);
  const fields = { title: input.title, answer: input.answer, tags: input.tags, status: input.status, version: currentVersion, updatedAt: now, deletedAt: null };
  const statements = [
    bumpVersion(db),
    db.insert(articles).values({ id, slug: input.slug, locale: input.locale, ...fields }).onConflictDoUpdate({ target: articles.id, set: fields }),
    db.delete(exampleQuestions).where(eq(exampleQuestions.articleId, id)),
  ] as const;
  if (!input.questions.length) return statements;
  return [...statements, db.insert(exampleQuestions).values(input.questions.map((text, position) => ({ articleId: id, position, text })))] as const;
}

/**
 * The live (stable) version: the last version written to what replicas serve. The counter
 * itself can be ahead of it: an open release reserves versions for its candidate change feed.
 */
export const liveVersion: SQL<number> = sql<number>`MAX(COALESCE((SELECT MAX(version) FROM articles), 0), COALESCE((SELECT MAX(version) FROM learned_questions), 0))`;

export async function kbVersion(db: KbDatabase): Promise<number> {
  const row = await db.select({ value: liveVersion }).from(kbMeta).limit(1).get();
  return row?.value ?? 0;
}

/**
 * The KB's version and epoch. A restore or a rebuild (npm run restore) starts a new epoch:
 * the history replicas followed is not the one the primary has now, so they resync whole.
 */
export async function kbHead(db: KbDatabase): Promise<KbHead> {
  return headOf(await headQuery(db));
}

export interface KbHead {
  version: number;
  epoch: number;
}

/** The KB's epoch (see kbHead). */
export const kbEpoch: SQL<number> = sql<number>`COALESCE((SELECT value FROM kb_meta WHERE key = 'epoch'), 0)`;

/** The live version (not the counter: an open release's reserved versions are not live) and the epoch. */
const headQuery = (db: KbDatabase) => db.select({ version: liveVersion, epoch: kbEpoch }).from(kbMeta).limit(1);

function headOf(rows: KbHead[]): KbHead {
  return rows[0] ?? { version: 0, epoch: 0 };
}

/** Creates or replaces an article in one atomic batch. */
export async function saveArticle(db: KbDatabase, input: ArticleInput, now: number): Promise<Article> {
  await db.batch(saveStatements(db, input, now));
  return (await getArticle(db, articleId(input.slug, input.locale)))!;
}

/** Changes fields of an existing, not deleted article; null when there is none. */
export async function updateArticle(db: KbDatabase, id: string, patch: Partial<Omit<ArticleInput, "slug" | "locale">>, now: number): Promise<Article | null> {
  const current = await getArticle(db, id);
  if (!current || current.deletedAt !== null) return null;
  const next = { ...current, ...patch };
  if (fingerprint(next) === fingerprint(current)) return current;
  return saveArticle(db, next, now);
}

/** The statements that delete an article, leaving a tombstone replicas will see. */
export function deleteStatements(db: KbExecutor, id: string, now: number) {
  return [
    bumpVersion(db),
    db.update(articles).set({ version: currentVersion, updatedAt: now, deletedAt: now }).where(eq(articles.id, id)),
    db.delete(exampleQuestions).where(eq(exampleQuestions.articleId, id)),
  ] as const;
}

/** Deletes an article, leaving a tombstone replicas will see; false when there was none. */
export async function deleteArticle(db: KbDatabase, id: string, now: number): Promise<boolean> {
  const current = await getArticle(db, id);
  if (!current || current.deletedAt !== null) return false;
  await db.batch(deleteStatements(db, id, now));
  return true;
}

export async function getArticle(db: KbDatabase, id: string): Promise<Article | null> {
  const [rows, questions] = await db.batch([
    db.select().from(articles).where(eq(articles.id, id)),
    db.select({ text: exampleQuestions.text }).from(exampleQuestions).where(eq(exampleQuestions.articleId, id)).orderBy(asc(exampleQuestions.position)),
  ]);
  const row = rows[0];
  return row ? { ...row, questions: questions.map((q) => q.text) } : null;
}

export interface ListOptions {
  locale?: string;
  status?: "draft" | "published";
  /** Return articles whose id sorts after this (keyset paging). */
  after?: string;
  limit: number;
}

export interface ArticleSummary {
  id: string;
  slug: string;
  locale: string;
  title: string;
  status: "draft" | "published";
  tags: string[];
  version: number;
  updatedAt: number;
  questionCount: number;
}

/** Live (not deleted) articles, by id, a page at a time. */
export async function listArticles(db: KbDatabase, options: ListOptions): Promise<ArticleSummary[]> {
  const where = and(
    isNull(articles.deletedAt),
    options.locale ? eq(articles.locale, options.locale) : undefined,
    options.status ? eq(articles.status, options.status) : undefined,
    options.after ? gt(articles.id, options.after) : undefined,
  );
  return db
    .select({
      id: articles.id,
      slug: articles.slug,
      locale: articles.locale,
      title: articles.title,
      status: articles.status,
      tags: articles.tags,
      version: articles.version,
      updatedAt: articles.updatedAt,
      questionCount: sql<number>`(SELECT COUNT(*) FROM example_questions q WHERE q.article_id = "articles"."id")`,
    })
    .from(articles)
    .where(where)
    .orderBy(asc(articles.id))
    .limit(options.limit);
}

/** Every live article with its questions, for export. */
export async function allArticles(db: KbDatabase): Promise<Article[]> {
  const [rows, questions] = await db.batch([
    db.select().from(articles).where(isNull(articles.deletedAt)).orderBy(asc(articles.id)),
    db.select().from(exampleQuestions).orderBy(asc(exampleQuestions.articleId), asc(exampleQuestions.position)),
  ]);
  return withQuestions(rows, questions);
}

/**
 * A change feed page: articles written after `cursor`, in version order, with questions;
 * and beside them, as a stream of their own, learned questions whose state replicas see
 * changed (they go live without an article write).
 */
export interface ChangePage {
  /** The KB version when the page was read. */
  version: number;
  /** The KB's epoch when the page was read (see kbHead). */
  epoch: number;
  changes: Article[];
  learned: LearnedChange[];
  /** The page stopped at `limit`: more changes follow it. */
  more: boolean;
}

export async function changesSince(db: KbDatabase, cursor: number, limit: number): Promise<ChangePage> {
  const page = db.select({ id: articles.id }).from(articles).where(gt(articles.version, cursor)).orderBy(asc(articles.version)).limit(limit);
  const [meta, rows, questions] = await db.batch([
    headQuery(db),
    db.select().from(articles).where(gt(articles.version, cursor)).orderBy(asc(articles.version)).limit(limit),
    db.select().from(exampleQuestions).where(inArray(exampleQuestions.articleId, page)).orderBy(asc(exampleQuestions.articleId), asc(exampleQuestions.position)),
  ]);
  const learned = await learnedSince(db, cursor, limit);
  const end = pageEnd([rows, learned], limit);
  return {
    ...headOf(meta),
    changes: withQuestions(rows.filter((r) => r.version <= end), questions),
    learned: learned.filter((l) => l.version <= end),
    more: end !== Infinity,
  };
}

/**
 * Where a change feed page built from several streams (each in version order, each read up
 * to `limit`) ends: a stream is complete up to its last version only if it filled its page,
 * so the page ends where the first full one does and the cursor never skips a change of
 * another stream. Infinity: no stream filled its page (nothing more follows).
 */
export function pageEnd(streams: Array<Array<{ version: number }>>, limit: number): number {
  return Math.min(...streams.map((rows) => (rows.length === limit ? rows[rows.length - 1]!.version : Infinity)));
}

export interface KbStats {
  version: number;
  articles: Array<{ locale: string; status: string; count: number }>;
  deleted: number;
  questions: number;
}

export async function kbStats(db: KbDatabase): Promise<KbStats> {
  const [meta, byLocale, deleted, questions] = await db.batch([
    db.select({ value: liveVersion }).from(kbMeta).limit(1),
    db
      .select({ locale: articles.locale, status: articles.status, count: count() })
      .from(articles)
      .where(isNull(articles.deletedAt))
      .groupBy(articles.locale, articles.status)
      .orderBy(asc(articles.locale), asc(articles.status)),
    db.select({ count: count() }).from(articles).where(sql`${articles.deletedAt} IS NOT NULL`),
    db.select({ count: count() }).from(exampleQuestions),
  ]);
  return { version: meta[0]?.value ?? 0, articles: byLocale, deleted: deleted[0]?.count ?? 0, questions: questions[0]?.count ?? 0 };
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Writes many articles in one transaction: all or nothing. Articles identical to what is
 * stored are skipped, so re-importing the same content changes nothing (not even versions).
 */
export async function importArticles(db: KbDatabase, inputs: ArticleInput[], now: number, onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
  const existing = new Map((await allArticles(db)).map((a) => [a.id, fingerprint(a)]));
  const result: ImportResult = { created: 0, updated: 0, unchanged: 0 };
  const pending = inputs.filter((input) => {
    const before = existing.get(articleId(input.slug, input.locale));
    if (before === fingerprint(input)) result.unchanged++;
    else if (before === undefined) result.created++;
    else result.updated++;
    return before !== fingerprint(input);
  });
  await db.transaction(async (tx) => {
    for (const [i, input] of pending.entries()) {
      for (const statement of saveStatements(tx, input, now)) await statement;
      onProgress?.(i + 1, pending.length);
    }
  });
  return result;
}

export function withQuestions(rows: (typeof articles.$inferSelect)[], questions: (typeof exampleQuestions.$inferSelect)[]): Article[] {
  const byArticle = new Map<string, string[]>();
  for (const q of questions) {
    const list = byArticle.get(q.articleId) ?? [];
    list.push(q.text);
    byArticle.set(q.articleId, list);
  }
  return rows.map((r) => ({ ...r, questions: byArticle.get(r.id) ?? [] }));
}

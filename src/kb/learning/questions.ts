// Learned questions in the KB primary: votes recorded by the rules in learned.ts, editors'
// reviews, erasure, and the stream replicas pull beside the articles. No interactive
// transactions (a writer that vanishes must block no one): each change is a read, a
// decision, and one batch; unique indexes keep a client to one vote per question even when
// two writers race, and every status is recomputed from the stored votes.
import { and, asc, count, desc, eq, gt, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { KbDatabase } from "../articles.ts";
import { questionKey } from "../memory.ts";
import { learnedQuestions, learnedVotes, articles, kbMeta, type LearnedQuestionRow } from "../schema.ts";
import { countVotes, dayOf, decideVote, statusOf, type LearnedStatus, type LearnSettings, type VoteDecision, type VoteSource } from "./learned.ts";

/** A vote as the conversation (or an operator) sends it: redacted words and keyed digests only. */
export interface VoteInput {
  articleId: string;
  locale: string;
  /** The customer's question, redacted. */
  text: string;
  conversation: string;
  client: string;
  subject: string | null;
  source: VoteSource;
}

export interface LearnedQuestion {
  id: string;
  articleId: string;
  locale: string;
  text: string;
  status: LearnedStatus;
  confirmations: number;
  notHelpful: number;
  sources: Record<VoteSource, number>;
  firstSeen: string;
  lastSeen: string;
  /** Waiting in the EU for an editor's approval (from EU conversations). */
  eu?: boolean;
}

/** What replicas pull: an active question's words, or (text null) that it is no longer active. */
export interface LearnedChange {
  id: string;
  articleId: string;
  locale: string;
  text: string | null;
  version: number;
}

const currentVersion: SQL<number> = sql`(SELECT value FROM kb_meta WHERE key = 'version')`;

function bumpVersion(db: KbDatabase) {
  return db.insert(kbMeta).values({ key: "version", value: 1 }).onConflictDoUpdate({ target: kbMeta.key, set: { value: sql`${kbMeta.value} + 1` } });
}

const visible = (row: Pick<LearnedQuestionRow, "status" | "deletedAt">) => row.status === "active" && row.deletedAt === null;

export function toLearned(row: LearnedQuestionRow): LearnedQuestion {
  return {
    id: row.id,
    articleId: row.articleId,
    locale: row.locale,
    text: row.text,
    status: row.status,
    confirmations: row.confirmations,
    notHelpful: row.notHelpful,
    sources: row.sources,
    firstSeen: new Date(row.firstSeen).toISOString(),
    lastSeen: new Date(row.lastSeen).toISOString(),
  };
}

function newId(): string {
  return `lq_${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export type RecordOutcome = VoteDecision | { kind: "unknown_article" } | { kind: "empty_question" };

/**
 * Records one vote by the rules: the question is created on its first counted vote (a
 * candidate), and its status follows from all of its votes.
 */
export async function recordVote(db: KbDatabase, input: VoteInput, settings: LearnSettings, now: number): Promise<RecordOutcome & { id?: string }> {
  const key = questionKey(input.text);
  if (!key) return { kind: "empty_question" };
  const day = dayOf(now);
  const [article, found, today] = await db.batch([
    db.select({ id: articles.id }).from(articles).where(and(eq(articles.id, input.articleId), isNull(articles.deletedAt))),
    db.select().from(learnedQuestions).where(and(eq(learnedQuestions.articleId, input.articleId), eq(learnedQuestions.key, key))),
    db.select({ n: count() }).from(learnedVotes).where(and(eq(learnedVotes.client, input.client), eq(learnedVotes.day, day))),
  ]);
  if (!article.length) return { kind: "unknown_article" };
  const existing = found[0] && found[0].deletedAt === null ? found[0] : null;
  const votes = existing ? await db.select().from(learnedVotes).where(eq(learnedVotes.questionId, existing.id)) : [];
  const vote = { conversation: input.conversation, client: input.client, source: input.source, day };
  const decision = decideVote(existing ? { review: existing.review, votes } : null, vote, { settings, clientVotesToday: today[0]?.n ?? 0 });
  if (decision.kind === "ignored") return decision;
  const id = found[0]?.id ?? newId();
  // A new question is written with its first vote counted, as a candidate: refresh() recomputes
  // the status from the stored votes and stamps a version when replicas must see it.
  const first = existing ? countVotes([]) : decision.counts;
  const fresh = { text: input.text, locale: input.locale, status: "candidate" as const, review: null, confirmations: first.confirmations, notHelpful: first.notHelpful, sources: first.sources, firstSeen: now, lastSeen: now, originConversation: input.conversation, originSubject: input.subject, deletedAt: null, version: 0 };
  await db.batch([
    // A tombstone of the same words (deleted by an editor, or erased) starts again from nothing.
    db
      .insert(learnedQuestions)
      .values({ id, articleId: input.articleId, key, ...fresh })
      .onConflictDoUpdate({ target: [learnedQuestions.articleId, learnedQuestions.key], set: { lastSeen: now }, setWhere: isNull(learnedQuestions.deletedAt) }),
    db.update(learnedQuestions).set(fresh).where(and(eq(learnedQuestions.id, id), sql`${learnedQuestions.deletedAt} IS NOT NULL`)),
    db.insert(learnedVotes).values({ questionId: id, ...vote, subject: input.subject, at: now }).onConflictDoNothing(),
  ]);
  await refresh(db, [id], settings);
  return { ...decision, id };
}

/** Recomputes questions' counts and statuses from their votes; a change replicas see takes a new KB version. */
export async function refresh(db: KbDatabase, ids: string[], settings: LearnSettings): Promise<void> {
  if (!ids.length) return;
  const [rows, votes] = await db.batch([db.select().from(learnedQuestions).where(inArray(learnedQuestions.id, ids)), db.select().from(learnedVotes).where(inArray(learnedVotes.questionId, ids))]);
  for (const row of rows) {
    if (row.deletedAt !== null) continue;
    const mine = votes.filter((v) => v.questionId === row.id);
    const status = statusOf({ review: row.review, votes: mine }, { settings });
    const counts = countVotes(mine);
    const set = { status, confirmations: counts.confirmations, notHelpful: counts.notHelpful, sources: counts.sources };
    if (visible(row) === visible({ status, deletedAt: null })) await db.update(learnedQuestions).set(set).where(eq(learnedQuestions.id, row.id));
    else await db.batch([bumpVersion(db), db.update(learnedQuestions).set({ ...set, version: currentVersion }).where(eq(learnedQuestions.id, row.id))]);
  }
}

export interface LearnedFilter {
  status?: LearnedStatus;
  locale?: string;
  articleId?: string;
  limit: number;
}

/** Learned questions for editors, most recently seen first (tombstones left out). */
export async function listLearned(db: KbDatabase, filter: LearnedFilter): Promise<LearnedQuestion[]> {
  const rows = await db
    .select()
    .from(learnedQuestions)
    .where(
      and(
        isNull(learnedQuestions.deletedAt),
        filter.status ? eq(learnedQuestions.status, filter.status) : undefined,
        filter.locale ? eq(learnedQuestions.locale, filter.locale) : undefined,
        filter.articleId ? eq(learnedQuestions.articleId, filter.articleId) : undefined,
      ),
    )
    .orderBy(desc(learnedQuestions.lastSeen), asc(learnedQuestions.id))
    .limit(filter.limit);
  return rows.map(toLearned);
}

export async function getLearned(db: KbDatabase, id: string): Promise<LearnedQuestion | null> {
  const row = await db.select().from(learnedQuestions).where(and(eq(learnedQuestions.id, id), isNull(learnedQuestions.deletedAt))).get();
  return row ? toLearned(row) : null;
}

/** An editor approves or rejects a question; null when there is none. */
export async function reviewLearned(db: KbDatabase, id: string, review: "approved" | "rejected", settings: LearnSettings): Promise<LearnedQuestion | null> {
  if (!(await getLearned(db, id))) return null;
  await db.update(learnedQuestions).set({ review }).where(eq(learnedQuestions.id, id));
  await refresh(db, [id], settings);
  return getLearned(db, id);
}

/** An editor teaches a question directly: approved at once, counted as the editor's vote. */
export async function teachLearned(db: KbDatabase, input: { articleId: string; locale: string; text: string; operatorId: string }, settings: LearnSettings, now: number): Promise<LearnedQuestion | null> {
  const conversation = `editor:${input.operatorId}`;
  const outcome = await recordVote(db, { articleId: input.articleId, locale: input.locale, text: input.text, conversation, client: conversation, subject: null, source: "editor" }, settings, now);
  if (outcome.kind === "unknown_article" || outcome.kind === "empty_question") return null;
  const key = questionKey(input.text);
  const row = await db.select().from(learnedQuestions).where(and(eq(learnedQuestions.articleId, input.articleId), eq(learnedQuestions.key, key))).get();
  return row ? reviewLearned(db, row.id, "approved", settings) : null;
}

/**
 * An editor approved an EU candidate: its words and its votes' digests move to the primary
 * (joining the same question if the primary has it), approved.
 */
export async function adoptLearned(
  db: KbDatabase,
  candidate: { question: LearnedQuestion; key: string; originConversation: string; originSubject: string | null; votes: Array<{ conversation: string; client: string; subject: string | null; source: VoteSource; day: string; at: number }> },
  settings: LearnSettings,
  now: number,
): Promise<LearnedQuestion | null> {
  const q = candidate.question;
  const article = await db.select({ id: articles.id }).from(articles).where(and(eq(articles.id, q.articleId), isNull(articles.deletedAt))).get();
  if (!article) return null;
  const id = newId();
  const counts = countVotes([]);
  await db.batch([
    db
      .insert(learnedQuestions)
      .values({ id, articleId: q.articleId, key: candidate.key, text: q.text, locale: q.locale, status: "candidate", review: "approved", confirmations: 0, notHelpful: 0, sources: counts.sources, firstSeen: Date.parse(q.firstSeen), lastSeen: now, originConversation: candidate.originConversation, originSubject: candidate.originSubject, version: 0, deletedAt: null })
      .onConflictDoUpdate({ target: [learnedQuestions.articleId, learnedQuestions.key], set: { review: "approved", lastSeen: now, text: q.text, deletedAt: null } }),
  ]);
  const row = await db.select().from(learnedQuestions).where(and(eq(learnedQuestions.articleId, q.articleId), eq(learnedQuestions.key, candidate.key))).get();
  if (!row) return null;
  if (candidate.votes.length) await db.insert(learnedVotes).values(candidate.votes.map((v) => ({ ...v, questionId: row.id }))).onConflictDoNothing();
  await refresh(db, [row.id], settings);
  return getLearned(db, row.id);
}

/** Deletes questions: tombstones without their words (replicas drop them) and without votes. */
async function tombstone(db: KbDatabase, ids: string[], now: number): Promise<void> {
  for (const id of ids) {
    await db.batch([
      bumpVersion(db),
      db.update(learnedQuestions).set({ text: "", status: "rejected", deletedAt: now, version: currentVersion, originSubject: null }).where(eq(learnedQuestions.id, id)),
      db.delete(learnedVotes).where(eq(learnedVotes.questionId, id)),
    ]);
  }
}

export async function deleteLearned(db: KbDatabase, id: string, now: number): Promise<boolean> {
  if (!(await getLearned(db, id))) return false;
  await tombstone(db, [id], now);
  return true;
}

/**
 * Erases what conversations (by digest) or a verified customer taught: the questions whose
 * words came from them, and their votes on other questions, whose statuses are recomputed.
 */
export async function eraseLearned(db: KbDatabase, by: { conversations?: string[]; subject?: string }, settings: LearnSettings, now: number): Promise<{ questions: number; votes: number }> {
  const conversations = by.conversations ?? [];
  const fromOrigin = or(conversations.length ? inArray(learnedQuestions.originConversation, conversations) : undefined, by.subject ? eq(learnedQuestions.originSubject, by.subject) : undefined);
  const fromVotes = or(conversations.length ? inArray(learnedVotes.conversation, conversations) : undefined, by.subject ? eq(learnedVotes.subject, by.subject) : undefined);
  if (!fromOrigin || !fromVotes) return { questions: 0, votes: 0 };
  const [origins, votes] = await db.batch([
    db.select({ id: learnedQuestions.id }).from(learnedQuestions).where(and(fromOrigin, isNull(learnedQuestions.deletedAt))),
    db.select({ id: learnedVotes.id, questionId: learnedVotes.questionId }).from(learnedVotes).where(fromVotes),
  ]);
  const erased = origins.map((r) => r.id);
  await tombstone(db, erased, now);
  if (votes.length) await db.delete(learnedVotes).where(inArray(learnedVotes.id, votes.map((v) => v.id)));
  await refresh(db, [...new Set(votes.map((v) => v.questionId))].filter((id) => !erased.includes(id)), settings);
  return { questions: erased.length, votes: votes.length };
}

/** Learned questions whose replica-visible state changed after `cursor`, in version order. */
export async function learnedSince(db: KbDatabase, cursor: number, limit: number): Promise<LearnedChange[]> {
  const rows = await db.select().from(learnedQuestions).where(gt(learnedQuestions.version, cursor)).orderBy(asc(learnedQuestions.version)).limit(limit);
  return rows.map((r) => ({ id: r.id, articleId: r.articleId, locale: r.locale, text: visible(r) ? r.text : null, version: r.version }));
}

/** Questions that turned active, per locale, since `since` (ms): for /ops. */
export async function learnedCounts(db: KbDatabase, since: number): Promise<Array<{ locale: string; status: LearnedStatus; count: number; recent: number }>> {
  return db
    .select({ locale: learnedQuestions.locale, status: learnedQuestions.status, count: count(), recent: sql<number>`SUM(CASE WHEN ${learnedQuestions.firstSeen} >= ${since} THEN 1 ELSE 0 END)` })
    .from(learnedQuestions)
    .where(isNull(learnedQuestions.deletedAt))
    .groupBy(learnedQuestions.locale, learnedQuestions.status)
    .orderBy(asc(learnedQuestions.locale));
}

// Pulling the KB from the primary into a replica: page through the change feed by version
// cursor and make the result visible all at once, so a search never sees half a sync. A
// small sync stages its pages and applies them in one transaction at the end; a sync too
// large for that (a first sync of a large KB, a bulk import) builds a new copy beside the
// live one, a page at a time, and swaps it in at the end. Either way a large sync goes in
// bounded chunks (a few pages each, continued on the replica's alarm), so no request or
// alarm holds the replica for long, nor the whole KB in memory. When the primary's history
// is no longer the one the copy followed — a restore or a rebuild started a new epoch, or
// its version went back — the sync builds a new copy from nothing and swaps it in whole, so
// nothing of the lost history stays; the old copy serves until then. Pure sequencing; the
// primary and the replica's storage are ports.
import type { Article } from "./article.ts";
import type { ChangePage } from "./articles.ts";
import type { LearnedChange } from "./learning/questions.ts";
import { languageOf, qualified, tokenize } from "./text/tokens.ts";

export interface ChangeSource {
  changesSince(cursor: number, limit: number): Promise<ChangePage>;
}

/** One change as the replica stores it: an article to (re)index, or a removal. */
export interface StagedChange {
  version: number;
  id: string;
  article: Article | null;
  tokens: IndexedText | null;
}

/** The token strings the full-text index holds for an article. */
export interface IndexedText {
  title: string;
  questions: string;
  answer: string;
}

/** A sync under way: where it got to and which languages its changes touch. */
export interface Staging {
  cursor: number;
  primaryVersion: number;
  languages: string[];
  startedAt: number;
  /** Changes pulled so far. */
  pulled: number;
  /**
   * `stage`: changes are staged and applied in one transaction at the end. `copy`: a new
   * copy is built beside the live one (the live articles first, then the changes) and
   * swapped in at the end.
   */
  mode: "stage" | "copy";
  /** Copy mode: the last live article (by doc) copied into the new copy; null once all are. */
  copied: number | null;
  /** The primary's epoch this sync follows. */
  epoch: number;
  /** A resync: the new copy starts from nothing (the primary was restored), and every language trains again. */
  full: boolean;
}

/** What a sync's landing records besides its version: the epoch it followed, and whether it replaced the whole copy. */
export interface Landing {
  epoch: number;
  full: boolean;
}

export interface ReplicaTarget {
  /** The version the replica has applied. */
  version(): number;
  /** The primary's epoch the applied copy came from (0 before any restore). */
  epoch(): number;
  /** The sync under way, if a previous chunk left one. */
  staging(): Staging | null;
  /** Records how far the sync got (kept until the commit or the swap). */
  setStaging(staging: Staging): void;
  clearStaged(): void;
  stage(changes: StagedChange[]): void;
  /** Stages learned questions' changes (applied with the articles' by `commit`). */
  stageLearned(changes: LearnedChange[]): void;
  /**
   * Applies every staged change atomically, records `version` and marks the changed
   * languages' classifiers for training; returns how many changes it applied. A change that
   * leaves the copy as it was (a draft saved: removing an article it never held) is not
   * counted, and alone retrains nothing.
   */
  commit(version: number, primaryVersion: number, at: number, languages: string[], landing: Landing): number;
  /** Starts a new, empty copy beside the live one (dropping any earlier unfinished one). */
  beginCopy(): void;
  /** Copies up to `limit` live articles after doc `after` into the new copy; the last doc copied, null when none were left. */
  copyLive(after: number, limit: number): number | null;
  /** Applies changes to the new copy (idempotent: a page pulled again applies the same). */
  applyToCopy(changes: StagedChange[]): void;
  /** Makes the new copy the live one, atomically, as commit() does for staged changes (`full`: every language it replaces trains again). */
  swapCopy(version: number, primaryVersion: number, at: number, languages: string[], landing: Landing): void;
}

export interface SyncResult {
  /** False when the chunk ended before the change feed did: call again to go on. */
  done: boolean;
  applied: number;
  version: number;
  primaryVersion: number;
  /** Languages whose articles changed (their classifiers need training again). */
  languages: string[];
  /** The whole copy was replaced (the primary's history changed). */
  full: boolean;
}

export function indexedText(article: Pick<Article, "locale" | "title" | "questions" | "answer">): IndexedText {
  const language = languageOf(article.locale);
  const tokens = (text: string) => qualified(tokenize(text), language).join(" ");
  return { title: tokens(article.title), questions: tokens(article.questions.join("\n")), answer: tokens(article.answer) };
}

/** Replicas hold published, live articles only; anything else is removed. */
export function toStaged(article: Article): StagedChange {
  const live = article.status === "published" && article.deletedAt === null;
  return { version: article.version, id: article.id, article: live ? article : null, tokens: live ? indexedText(article) : null };
}

/**
 * The most changes a sync stages and applies in one transaction; a sync that may bring
 * more builds a new copy instead. Applying costs about 0.5 ms a change on the development
 * machine (100,000 at once held the replica for 50 s), so this keeps a commit near 1.5 s.
 */
export const MAX_STAGED = 3_000;

export interface PullOptions {
  pageSize?: number;
  /** Steps per chunk (a page pulled, or a page's worth of live articles copied); the sync goes on in the next call. Unbounded by default. */
  maxPages?: number;
  /** See MAX_STAGED. */
  maxStaged?: number;
}

/**
 * Pulls the next chunk of changes and, once the change feed is exhausted, makes them all
 * visible at once. Resumes a sync a previous chunk left under way.
 */
export async function pullChanges(source: ChangeSource, target: ReplicaTarget, now: () => number, options: PullOptions = {}): Promise<SyncResult> {
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? Infinity;
  const maxStaged = options.maxStaged ?? MAX_STAGED;
  const resumed = target.staging();
  if (!resumed) target.clearStaged();
  let s: Staging = resumed ?? { cursor: target.version(), primaryVersion: target.version(), languages: [], startedAt: now(), pulled: 0, mode: "stage", copied: null, epoch: target.epoch(), full: false };
  for (let steps = 0; ; steps++) {
    if (steps >= maxPages) {
      target.setStaging(s);
      return { done: false, applied: 0, version: target.version(), primaryVersion: s.primaryVersion, languages: s.languages, full: s.full };
    }
    if (s.mode === "copy" && s.copied !== null) {
      s = { ...s, copied: target.copyLive(s.copied, pageSize) };
      continue;
    }
    const page = await source.changesSince(s.cursor, pageSize);
    if (page.epoch !== s.epoch || page.version < s.cursor) {
      // Restored or rebuilt: a new copy from nothing, swapped in whole at the end.
      target.clearStaged();
      target.beginCopy();
      s = { ...s, cursor: 0, primaryVersion: 0, languages: [], startedAt: now(), pulled: 0, mode: "copy", copied: null, epoch: page.epoch, full: true };
      continue;
    }
    const primaryVersion = Math.max(page.version, s.cursor, s.primaryVersion);
    // Versions ahead bound the changes still to come: too many to stage, build a new copy.
    if (s.mode === "stage" && s.pulled + (primaryVersion - s.cursor) > maxStaged) {
      target.clearStaged();
      target.beginCopy();
      s = { ...s, cursor: target.version(), primaryVersion, languages: [], pulled: 0, mode: "copy", copied: 0 };
      continue;
    }
    s = { ...s, primaryVersion };
    const learned = page.learned ?? [];
    if (!page.changes.length && !learned.length) break;
    const changes = page.changes.map(toStaged);
    if (s.mode === "copy") target.applyToCopy(changes);
    else target.stage(changes);
    // Learned questions are staged in either mode, and applied with the commit or the swap.
    if (learned.length) target.stageLearned(learned);
    const languages = new Set(s.languages);
    for (const change of [...page.changes, ...learned]) languages.add(languageOf(change.locale));
    const cursor = Math.max(s.cursor, ...page.changes.map((c) => c.version), ...learned.map((l) => l.version));
    s = { ...s, cursor, pulled: s.pulled + page.changes.length + learned.length, languages: [...languages] };
    if (!page.more) break;
  }
  // The feed is exhausted: the copy holds every change up to the version read with the last
  // page (after a restore, the newest version may be one whose article is gone).
  const version = Math.max(s.primaryVersion, s.cursor);
  const landing = { epoch: s.epoch, full: s.full };
  let applied = s.pulled;
  if (s.mode === "copy") target.swapCopy(version, version, now(), s.languages, landing);
  else applied = target.commit(version, version, now(), s.languages, landing);
  return { done: true, applied, version, primaryVersion: version, languages: s.languages, full: s.full };
}

/** How long to wait before the next sync attempt: the interval, or backoff after failures. */
export function nextSyncDelay(failures: number, intervalMs: number): number {
  if (failures === 0) return intervalMs;
  return Math.min(intervalMs, 1_000 * 2 ** Math.min(failures - 1, 10));
}

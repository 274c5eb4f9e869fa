// Pulling the KB from the primary into a replica: page through the change feed by version
// cursor, stage every page, then apply everything at once, so a search never sees half a
// sync. A large sync goes in bounded chunks (a few pages each, continued on the replica's
// alarm), so no request or alarm waits for all of it. Pure sequencing; the primary and the
// replica's storage are ports.
import type { Article } from "./article.ts";
import type { ChangePage } from "./articles.ts";
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

/** A sync under way: where staging got to and which languages its changes touch. */
export interface Staging {
  cursor: number;
  primaryVersion: number;
  languages: string[];
  startedAt: number;
}

export interface ReplicaTarget {
  /** The version the replica has applied. */
  version(): number;
  /** The sync under way, if a previous chunk left one. */
  staging(): Staging | null;
  /** Records how far staging got (kept until the commit). */
  setStaging(staging: Staging): void;
  clearStaged(): void;
  stage(changes: StagedChange[]): void;
  /**
   * Applies every staged change atomically, records `version` and marks the changed
   * languages' classifiers for training; returns how many changes it applied.
   */
  commit(version: number, primaryVersion: number, at: number, languages: string[]): number;
}

export interface SyncResult {
  /** False when the chunk ended before the change feed did: call again to go on. */
  done: boolean;
  applied: number;
  version: number;
  primaryVersion: number;
  /** Languages whose articles changed (their classifiers need training again). */
  languages: string[];
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

export interface PullOptions {
  pageSize?: number;
  /** Pages per chunk; the sync goes on in the next call. Unbounded by default. */
  maxPages?: number;
}

/**
 * Pulls the next chunk of changes and, once the change feed is exhausted, applies every
 * staged change at once. Resumes a sync a previous chunk left under way.
 */
export async function pullChanges(source: ChangeSource, target: ReplicaTarget, now: () => number, options: PullOptions = {}): Promise<SyncResult> {
  const pageSize = options.pageSize ?? 500;
  const maxPages = options.maxPages ?? Infinity;
  let staging = target.staging();
  if (!staging) {
    target.clearStaged();
    staging = { cursor: target.version(), primaryVersion: target.version(), languages: [], startedAt: now() };
  }
  const languages = new Set(staging.languages);
  let { cursor, primaryVersion } = staging;
  for (let pages = 0; ; pages++) {
    if (pages >= maxPages) {
      target.setStaging({ cursor, primaryVersion, languages: [...languages], startedAt: staging.startedAt });
      return { done: false, applied: 0, version: target.version(), primaryVersion, languages: [...languages] };
    }
    const page = await source.changesSince(cursor, pageSize);
    primaryVersion = Math.max(page.version, cursor);
    if (!page.changes.length) break;
    for (const change of page.changes) languages.add(languageOf(change.locale));
    target.stage(page.changes.map(toStaged));
    cursor = page.changes[page.changes.length - 1]!.version;
    if (page.changes.length < pageSize) break;
  }
  const applied = target.commit(cursor, Math.max(primaryVersion, cursor), now(), [...languages]);
  return { done: true, applied, version: cursor, primaryVersion: Math.max(primaryVersion, cursor), languages: [...languages] };
}

/** How long to wait before the next sync attempt: the interval, or backoff after failures. */
export function nextSyncDelay(failures: number, intervalMs: number): number {
  if (failures === 0) return intervalMs;
  return Math.min(intervalMs, 1_000 * 2 ** Math.min(failures - 1, 10));
}

// The answer cache: good answers kept by (KB version, locale, normalised question), so that
// the same question is answered even while the KB cannot be asked. The store is the colo's
// Cache API; the last KB version seen per region is kept for the isolate, so a lookup
// still knows which version to ask for while the replica is down.
import { normalize } from "../kb/text/normalize.ts";

export interface CachedAnswer {
  text: string;
  articleId: string;
  title: string;
  kbVersion: number;
  locale: string;
}

/** Where cached answers are kept (the Cache API in production). */
export interface CacheStore {
  match(key: string): Promise<CachedAnswer | null>;
  put(key: string, value: CachedAnswer): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Punctuation and spacing do not make a different question. */
export function cacheKey(kbVersion: number, locale: string, question: string): string {
  const q = normalize(question).replace(/[^\p{L}\p{N} ]+/gu, " ").replace(/\s+/g, " ").trim();
  return `v${kbVersion}/${locale.toLowerCase()}/${q}`;
}

const lastVersion = new Map<string, number>();
/** Keys this isolate already wrote: a popular question is not written again on every turn. */
const written = new Set<string>();
const WRITTEN_MAX = 1_000;

export class AnswerCache {
  private readonly store: CacheStore;
  private readonly region: () => string;
  private readonly writable: () => boolean;

  /** `writable` false: lookups only (an EU conversation's questions are not kept outside it). */
  constructor(store: CacheStore, region: () => string, writable: () => boolean = () => true) {
    this.store = store;
    this.region = region;
    this.writable = writable;
  }

  /** Records the KB version a region's replica just answered with. */
  sawVersion(kbVersion: number): void {
    lastVersion.set(this.region(), Math.max(kbVersion, lastVersion.get(this.region()) ?? 0));
  }

  async get(question: string, locale: string): Promise<CachedAnswer | null> {
    const version = lastVersion.get(this.region());
    if (version === undefined) return null;
    try {
      return await this.store.match(cacheKey(version, locale, question));
    } catch {
      return null;
    }
  }

  async put(question: string, answer: CachedAnswer): Promise<void> {
    this.sawVersion(answer.kbVersion);
    if (!this.writable()) return;
    const key = cacheKey(answer.kbVersion, answer.locale, question);
    if (written.has(key)) return;
    if (written.size >= WRITTEN_MAX) written.clear();
    written.add(key);
    await this.store.put(key, answer).catch(() => written.delete(key));
  }

  /** Removes a question's cached answer (for the KB version last seen here). */
  async forget(question: string, locale: string): Promise<void> {
    const version = lastVersion.get(this.region());
    if (version === undefined) return;
    const key = cacheKey(version, locale, question);
    written.delete(key);
    await this.store.delete(key).catch(() => {});
  }
}

// Recent retrievals, kept per isolate: a repeated question (the common case in support:
// "where is my order?") is planned from the retrieval the replica gave moments ago instead
// of asking the replica again. Entries live for a short time and never outlive a newer KB
// version seen from the same replica; the dialogue logic still runs on every turn.
import { normalize } from "./text/normalize.ts";
import type { Retrieval, RetrievalOptions } from "./retrieval.ts";

export interface RetrievalCacheOptions {
  /** How long an entry answers (ms). */
  ttlMs: number;
  /** Most entries kept; the oldest go first. */
  maxEntries: number;
}

/** What a retrieval depends on: the replica, the options and the question's normalised text. */
export function retrievalKey(replica: string, query: string, options: RetrievalOptions): string {
  const exclude = [...(options.exclude ?? [])].sort().join(",");
  return [replica, options.language, options.fallbackLanguage ?? "", options.locale ?? "", options.limit ?? 5, exclude, normalize(query)].join("\u0001");
}

export class RetrievalCache {
  private readonly entries = new Map<string, { retrieval: Retrieval; at: number; replica: string }>();
  private readonly newest = new Map<string, number>();
  private readonly options: RetrievalCacheOptions;

  constructor(options: RetrievalCacheOptions) {
    this.options = options;
  }

  /** A recent retrieval for this key, its freshness aged by the time since; null when none. */
  get(replica: string, key: string, now: number): Retrieval | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    const age = now - entry.at;
    if (age > this.options.ttlMs || entry.retrieval.kbVersion < (this.newest.get(replica) ?? 0)) {
      this.entries.delete(key);
      return null;
    }
    const { retrieval } = entry;
    return { ...retrieval, lagSeconds: retrieval.lagSeconds === null ? null : retrieval.lagSeconds + Math.floor(age / 1000) };
  }

  put(replica: string, key: string, retrieval: Retrieval, now: number): void {
    this.newest.set(replica, Math.max(retrieval.kbVersion, this.newest.get(replica) ?? 0));
    // Stale copies are not worth keeping: the next turn should see the replica recover.
    if (retrieval.stale) return;
    this.entries.delete(key);
    this.entries.set(key, { retrieval, at: now, replica });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

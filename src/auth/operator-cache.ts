// A per-isolate cache of verified operator keys, so the edge checks a key without a round
// trip to the KB primary on every request, and a primary outage does not lock out operators
// seen recently.
//
// Revocation bound: a revoked (or rotated-away) key keeps working on an isolate that cached
// it for at most `ttlMs` (default 60 s) — and, while the primary cannot be reached, for at
// most `staleIfErrorMs` (default 15 min), because then nothing can say it was revoked.
// `forget()` ends that at once on the isolate that handled the revocation.
//
// Unknown keys are remembered apart from verified ones, each kind in its own bounded LRU, so
// a stream of random `hf_…` keys (a scan) cannot push real operators out of the cache.
import type { OperatorRole } from "./roles.ts";

/** What a verified key resolves to. */
export interface CachedOperator {
  id: string;
  name: string;
  role: OperatorRole;
  team: string | null;
}

export interface OperatorCacheOptions {
  /** How long a verified key is trusted without asking the primary. */
  ttlMs: number;
  /** How long an unknown key is rejected without asking the primary (a typo, a scan). */
  negativeTtlMs: number;
  /** How old a verified entry may be and still be served when the primary cannot be reached. */
  staleIfErrorMs: number;
  /** Verified keys kept; the least recently used go first. */
  maxEntries: number;
  /** Unknown keys kept, apart from verified ones; the oldest go first. */
  maxNegativeEntries: number;
}

export const DEFAULT_OPERATOR_CACHE: OperatorCacheOptions = { ttlMs: 60_000, negativeTtlMs: 5_000, staleIfErrorMs: 15 * 60_000, maxEntries: 1_000, maxNegativeEntries: 1_000 };

/**
 * What the cache knows about a key hash:
 * - `fresh`: verified within the TTL; serve it.
 * - `unknown`: the primary said "no such key" within the negative TTL; reject without asking.
 * - `miss`: ask the primary. `stale` is the operator to serve ONLY if the primary cannot be
 *   reached (verified within staleIfErrorMs), or null.
 */
export type OperatorLookup = { status: "fresh"; operator: CachedOperator } | { status: "unknown" } | { status: "miss"; stale: CachedOperator | null };

interface Entry {
  operator: CachedOperator;
  at: number;
}

export class OperatorCache {
  private readonly options: OperatorCacheOptions;
  /** Verified keys. Map order is recency order: oldest first. */
  private readonly entries = new Map<string, Entry>();
  /** Unknown keys and when the primary said so, oldest first. A key is in one map at most. */
  private readonly unknown = new Map<string, number>();

  constructor(options: Partial<OperatorCacheOptions> = {}) {
    this.options = { ...DEFAULT_OPERATOR_CACHE, ...options };
  }

  /** Entries held, verified and unknown. */
  get size(): number {
    return this.entries.size + this.unknown.size;
  }

  /** Looks up a key hash at `now` (ms). */
  get(keyHash: string, now: number): OperatorLookup {
    const saidUnknownAt = this.unknown.get(keyHash);
    if (saidUnknownAt !== undefined) {
      const age = now - saidUnknownAt;
      if (age >= 0 && age < this.options.negativeTtlMs) return { status: "unknown" };
      this.unknown.delete(keyHash);
      return { status: "miss", stale: null };
    }
    const entry = this.entries.get(keyHash);
    if (!entry) return { status: "miss", stale: null };
    const age = now - entry.at;
    // A clock that went backwards makes the entry no fresher than "just verified".
    if (age < this.options.ttlMs) {
      this.touch(keyHash, entry);
      return { status: "fresh", operator: entry.operator };
    }
    if (age < this.options.staleIfErrorMs) return { status: "miss", stale: entry.operator };
    this.entries.delete(keyHash);
    return { status: "miss", stale: null };
  }

  /** Records what the primary said: the operator, or null for "no such (live) key". */
  put(keyHash: string, operator: CachedOperator | null, now: number): void {
    this.forget(keyHash);
    if (operator === null) {
      this.unknown.set(keyHash, now);
      dropOldest(this.unknown, this.options.maxNegativeEntries);
    } else {
      this.entries.set(keyHash, { operator, at: now });
      dropOldest(this.entries, this.options.maxEntries);
    }
  }

  /** Drops a key hash (its operator was revoked or rotated here). */
  forget(keyHash: string): void {
    this.entries.delete(keyHash);
    this.unknown.delete(keyHash);
  }

  /** Drops every entry of one operator (revocation by id, when the hash is not at hand). */
  forgetOperator(operatorId: string): void {
    for (const [hash, entry] of this.entries) if (entry.operator.id === operatorId) this.entries.delete(hash);
  }

  private touch(keyHash: string, entry: Entry): void {
    this.entries.delete(keyHash);
    this.entries.set(keyHash, entry);
  }
}

/** Removes a map's first (oldest) entries until it holds at most `max`. */
function dropOldest(map: Map<string, unknown>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}

/** How a request's operator key was settled. */
export type OperatorResolution =
  | { ok: true; operator: CachedOperator; source: "cache" | "primary" | "stale" }
  | { ok: false; code: "operator_key_invalid" | "primary_unavailable" };

/**
 * The whole check for one key hash: the cache, else the primary (`lookup`, which throws when
 * the primary cannot be reached), else a stale entry if the primary failed.
 */
export async function resolveOperator(
  cache: OperatorCache,
  keyHash: string,
  now: number,
  lookup: (keyHash: string) => Promise<CachedOperator | null>,
): Promise<OperatorResolution> {
  const cached = cache.get(keyHash, now);
  if (cached.status === "fresh") return { ok: true, operator: cached.operator, source: "cache" };
  if (cached.status === "unknown") return { ok: false, code: "operator_key_invalid" };
  let found: CachedOperator | null;
  try {
    found = await lookup(keyHash);
  } catch {
    return cached.stale ? { ok: true, operator: cached.stale, source: "stale" } : { ok: false, code: "primary_unavailable" };
  }
  cache.put(keyHash, found, now);
  return found ? { ok: true, operator: found, source: "primary" } : { ok: false, code: "operator_key_invalid" };
}

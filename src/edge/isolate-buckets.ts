// GCRA buckets kept in one isolate's memory: the rate limit that still holds when the
// region's RegionLimiterDO is slow or failing. Bounded, so a flood of new keys (one per
// spoofed IP, one per guessed credential) cannot grow it without end.
import { gcra, type RateDecision, type RatePolicy } from "./gcra.ts";

/** Keys kept by default: at a few dozen bytes each, well under a megabyte. */
export const ISOLATE_BUCKETS_MAX = 10_000;

export class IsolateBuckets {
  private readonly maxKeys: number;
  /** Key → theoretical arrival time; Map order is recency order, oldest first. */
  private readonly tats = new Map<string, number>();

  constructor(maxKeys = ISOLATE_BUCKETS_MAX) {
    this.maxKeys = Math.max(1, maxKeys);
  }

  get size(): number {
    return this.tats.size;
  }

  /**
   * Counts one request for `key` at `now` (ms); a rejected one changes no arrival time. When
   * full, the least recently used key is dropped: it starts again with a full burst, which
   * errs on letting a request through.
   */
  hit(key: string, policy: RatePolicy, now: number): RateDecision {
    const decision = gcra(this.tats.get(key), policy, now);
    // A rejected key is touched too: a client kept at its limit must not age out first.
    this.tats.delete(key);
    this.tats.set(key, decision.tat);
    while (this.tats.size > this.maxKeys) {
      const oldest = this.tats.keys().next();
      if (oldest.done) break;
      this.tats.delete(oldest.value);
    }
    return decision;
  }
}

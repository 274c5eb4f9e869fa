// Rate limit buckets kept in one isolate's memory: the stand-in when the region's limiter
// cannot answer in time. Stricter than nothing, looser than the region-wide limit (each
// isolate counts alone); bounded, so a flood of keys cannot grow it without end.
import { gcra, type RateDecision, type RatePolicy } from "./gcra.ts";

export class IsolateBuckets {
  private readonly buckets = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(maxKeys = 10_000) {
    this.maxKeys = maxKeys;
  }

  hit(key: string, policy: RatePolicy, now: number): RateDecision {
    const decision = gcra(this.buckets.get(key), policy, now);
    if (decision.allowed) {
      this.buckets.delete(key);
      this.buckets.set(key, decision.tat);
      // The oldest entries go first; a bucket whose time has passed is full anyway.
      while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    return decision;
  }
}

// RegionLimiterDO: rate limits for one shard of a region's keys (client IPs, API keys, the
// region's LLM budget). Glue only: GCRA lives in src/edge/gcra.ts. Time is passed in by the
// caller (the Worker's clock; a test's fake one).
//
// Buckets are kept in memory, not in storage: a storage write would hold back every reply
// until it is durable (the output gate), and that would cost each request more than the
// limit is worth. An evicted limiter forgets its buckets, which errs, briefly, on the side
// of letting requests through.
import { DurableObject } from "cloudflare:workers";
import { gcra, type RateDecision, type RatePolicy } from "../src/edge/gcra.ts";

const SWEEP_EVERY = 10_000;

export class RegionLimiterDO extends DurableObject<Env> {
  private readonly buckets = new Map<string, number>();
  private hits = 0;

  /** Counts one request for `key` under `policy` at `now`; a rejected one changes nothing. */
  hit(key: string, policy: RatePolicy, now: number = Date.now()): RateDecision {
    const decision = gcra(this.buckets.get(key), policy, now);
    if (decision.allowed) this.buckets.set(key, decision.tat);
    if (++this.hits % SWEEP_EVERY === 0) this.sweep(now);
    return decision;
  }

  /**
   * Counts `count` requests for `key` at once (a batch reported by a conversation); the
   * decision is the last one's: refused when the key went over its limit on the way.
   */
  hitMany(key: string, policy: RatePolicy, count: number, now: number = Date.now()): RateDecision {
    let decision = this.hit(key, policy, now);
    for (let i = 1; i < Math.min(count, policy.limit + 1) && decision.allowed; i++) decision = this.hit(key, policy, now);
    return decision;
  }

  /** A bucket whose arrival time has passed is full again: the same as no entry at all. */
  private sweep(now: number): void {
    for (const [key, tat] of this.buckets) if (tat < now) this.buckets.delete(key);
  }
}

// RegionLimiterDO: rate limits for one shard of a region's keys (client IPs, API keys, the
// region's LLM budget). Glue only: GCRA lives in src/edge/gcra.ts. Time is passed in by the
// caller (the Worker's clock; a test's fake one).
//
// Buckets are kept in memory, not in storage: a storage write would hold back every reply
// until it is durable (the output gate), and that would cost each request more than the
// limit is worth. An evicted limiter forgets its buckets, which errs, briefly, on the side
// of letting requests through.
//
// The shard that keeps a region's LLM budget also keeps self-repair's switch that turns
// generation off for the region (src/ops/remediation.ts): that one is stored, so an
// eviction does not switch generation back on while its alert is open.
import { DurableObject } from "cloudflare:workers";
import { gcra, type RateDecision, type RatePolicy } from "../src/edge/gcra.ts";
import type { LlmBudgetDecision } from "../src/platform/limiter.ts";

const SWEEP_EVERY = 10_000;
const GENERATION_OFF = "generation_off_until";

export class RegionLimiterDO extends DurableObject<Env> {
  private readonly buckets = new Map<string, number>();
  private hits = 0;
  /** Until when generation is switched off (epoch ms; null: on), read from storage once. */
  private generationOff: Promise<number | null> | null = null;

  /** One call from the region's LLM budget under `key`: `ok`, `spent`, or `off` while self-repair has generation switched off. */
  async llmBudget(key: string, policy: RatePolicy, now: number = Date.now()): Promise<LlmBudgetDecision> {
    const offUntil = await (this.generationOff ??= this.ctx.storage.get<number>(GENERATION_OFF).then((v) => v ?? null));
    if (offUntil !== null && offUntil > now) return "off";
    return this.hit(key, policy, now).allowed ? "ok" : "spent";
  }

  /** Self-repair switches generation off for the region until `until` (a safety expiry), or back on (null). */
  async setGenerationOff(until: number | null): Promise<void> {
    if (until === null) await this.ctx.storage.delete(GENERATION_OFF);
    else await this.ctx.storage.put(GENERATION_OFF, until);
    this.generationOff = Promise.resolve(until);
  }

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

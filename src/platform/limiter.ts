// The region's rate limiter shards: each region's keys are spread over a few
// RegionLimiterDO shards by hash, so one hot object cannot cap a whole region.
import type { RegionLimiterDO } from "../../durable-objects/region-limiter.ts";
import type { Config } from "../config.ts";
import type { RateDecision, RatePolicy } from "../edge/gcra.ts";
import { shardOf } from "../edge/hash.ts";
import { IsolateBuckets } from "../edge/isolate-buckets.ts";
import { limitWithFallback } from "../edge/limiter-fallback.ts";
import { CircuitBreaker } from "../resilience/breaker.ts";
import { currentFaults } from "../resilience/faults.ts";
import type { Region } from "../edge/regions.ts";

/** What the region's LLM budget says to one call: go, spent, or generation switched off by self-repair. */
export type LlmBudgetDecision = "ok" | "spent" | "off";

/** The limiter key of a region's LLM budget (and of its generation switch). */
export function llmBudgetKey(region: Region): string {
  return `llm-budget:${region}`;
}

export function limiterFor(env: Env, region: Region, key: string, shards: number): DurableObjectStub<RegionLimiterDO> {
  const name = `${region}:${shardOf(key, shards)}`;
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name), { locationHint: region });
}

/** This isolate's stand-in for the region's limiters, shared by every policy (keys carry their kind). */
const isolateBuckets = new IsolateBuckets();
let breaker: CircuitBreaker | null = null;

/**
 * Counts `count` requests for `key` under `policy` at the region's limiter (a batch, or one);
 * when it is slow (RATE_LIMIT_TIMEOUT_MS) or failing, the isolate's own buckets decide
 * instead (src/edge/limiter-fallback.ts): the same policy per isolate, never "allow everything".
 */
export async function limitHit(env: Env, config: Config, region: Region, key: string, policy: RatePolicy, count = 1): Promise<RateDecision> {
  breaker ??= new CircuitBreaker("rate_limiter", { failures: config.resilience.breakerFailures, coolDownMs: config.resilience.breakerCoolDownMs });
  const remote = (k: string, p: RatePolicy, now: number) => {
    if (currentFaults(config.devMode, config.faultsAtStart).limiterDown) return Promise.reject(new Error("fault limiter-down"));
    const stub = limiterFor(env, region, k, config.limits.shards);
    return count === 1 ? stub.hit(k, p, now) : stub.hitMany(k, p, count, now);
  };
  const local = {
    hit: (k: string, p: RatePolicy, now: number) => {
      let decision = isolateBuckets.hit(k, p, now);
      for (let i = 1; i < count && decision.allowed; i++) decision = isolateBuckets.hit(k, p, now);
      return decision;
    },
  };
  const result = await limitWithFallback({ key, policy, now: Date.now(), timeoutMs: config.limits.timeoutMs }, remote, local, breaker);
  // Failed calls are logged; the requests that skip the limiter while its breaker is open are not.
  if (result.source === "isolate" && result.failure !== "breaker_open") console.error(JSON.stringify({ level: "warn", code: "rate_limiter_unavailable", failure: result.failure, fallback: "isolate" }));
  return result.decision;
}

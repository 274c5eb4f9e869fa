// The region's rate limiter shards: each region's keys are spread over a few
// RegionLimiterDO shards by hash, so one hot object cannot cap a whole region.
import type { RegionLimiterDO } from "../../durable-objects/region-limiter.ts";
import type { RateDecision, RatePolicy } from "../edge/gcra.ts";
import { shardOf } from "../edge/hash.ts";
import { IsolateBuckets } from "../edge/isolate-buckets.ts";
import { withTimeout } from "../resilience/breaker.ts";
import type { Region } from "../edge/regions.ts";

export function limiterFor(env: Env, region: Region, key: string, shards: number): DurableObjectStub<RegionLimiterDO> {
  const name = `${region}:${shardOf(key, shards)}`;
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name), { locationHint: region });
}

const fallback = new IsolateBuckets();

/**
 * Counts one request for `key` at the region's limiter; when the limiter is slow or failing
 * the isolate's own bucket decides instead (never "allow everything").
 */
export async function limitHit(env: Env, region: Region, key: string, policy: RatePolicy, limits: { shards: number; timeoutMs: number }, now = Date.now()): Promise<RateDecision> {
  try {
    return await withTimeout(limiterFor(env, region, key, limits.shards).hit(key, policy, now), limits.timeoutMs, "rate limiter");
  } catch (err) {
    console.error(JSON.stringify({ level: "warn", code: "rate_limiter_unavailable", kind: (err as Error).name }));
    return fallback.hit(key, policy, now);
  }
}

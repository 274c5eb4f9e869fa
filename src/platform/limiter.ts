// The region's rate limiter shards: each region's keys are spread over a few
// RegionLimiterDO shards by hash, so one hot object cannot cap a whole region.
import type { RegionLimiterDO } from "../../durable-objects/region-limiter.ts";
import { shardOf } from "../edge/hash.ts";
import type { Region } from "../edge/regions.ts";

export function limiterFor(env: Env, region: Region, key: string, shards: number): DurableObjectStub<RegionLimiterDO> {
  const name = `${region}:${shardOf(key, shards)}`;
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name), { locationHint: region });
}

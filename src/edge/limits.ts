// Addressing rate limits: each region's keys are spread over a few RegionLimiterDO shards by
// hash, so one hot object cannot cap a whole region.
import type { RegionLimiterDO } from "../../durable-objects/region-limiter.ts";
import type { Region } from "./regions.ts";

/** FNV-1a: a fast, stable string hash. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function limiterFor(env: Env, region: Region, key: string, shards: number): DurableObjectStub<RegionLimiterDO> {
  const name = `${region}:${fnv1a(key) % shards}`;
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name), { locationHint: region });
}

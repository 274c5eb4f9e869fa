// The RegionOpsDOs: one per region, named by it; weur's and eeur's are created in the `eu`
// jurisdiction (src/ops/residency.ts) where the runtime enforces jurisdictions. Reads fan
// out to every region and tolerate one that does not answer.
import type { RegionOpsDO } from "../../durable-objects/region-ops.ts";
import type { Config } from "../config.ts";
import { REGIONS, type Region } from "../edge/regions.ts";
import { parseGapRef } from "../ops/gap-merge.ts";
import { opsJurisdictionOf } from "../ops/residency.ts";
import { withTimeout } from "../resilience/breaker.ts";

export type RegionOpsStub = DurableObjectStub<RegionOpsDO>;

/** A region's RegionOpsDO. */
export function regionOps(env: Env, region: Region, jurisdictions: boolean): RegionOpsStub {
  const eu = jurisdictions && opsJurisdictionOf(region) === "eu";
  const ns = (eu ? env.REGION_OPS.jurisdiction("eu") : env.REGION_OPS) as DurableObjectNamespace<RegionOpsDO>;
  // A jurisdiction already places the object; the hint is for the others.
  return ns.get(ns.idFromName(region), eu ? undefined : { locationHint: region });
}

/** How long a read waits for one region's answer before leaving it out. */
export const READ_TIMEOUT_MS = 3_000;

/**
 * Calls `read` on the RegionOpsDO of each region (all of them when `regions` is absent);
 * the answers of those that answered in time, in region order.
 */
export async function readRegions<T>(env: Env, config: Config, read: (stub: RegionOpsStub, region: Region) => Promise<T>, regions: readonly Region[] = REGIONS): Promise<Array<{ region: Region; value: T }>> {
  const settled = await Promise.allSettled(regions.map((region) => withTimeout(read(regionOps(env, region, config.jurisdictions), region), READ_TIMEOUT_MS, "region ops")));
  const out: Array<{ region: Region; value: T }> = [];
  settled.forEach((s, i) => {
    if (s.status === "fulfilled") out.push({ region: regions[i]!, value: s.value });
    else console.error(JSON.stringify({ level: "error", code: "region_ops_unavailable", region: regions[i], kind: (s.reason as Error)?.name }));
  });
  return out;
}

/** The tag a draft article carries for each gap it answers: `gap:<region>.<gap id>`. */
export const GAP_TAG_PREFIX = "gap:";

/** Groups an article's gap tags by region: the gaps its publication closes. */
export function gapsOfTags(tags: readonly string[]): Map<Region, string[]> {
  const out = new Map<Region, string[]>();
  for (const tag of tags) {
    const ref = tag.startsWith(GAP_TAG_PREFIX) ? parseGapRef(tag.slice(GAP_TAG_PREFIX.length)) : null;
    if (ref) out.set(ref.region, [...(out.get(ref.region) ?? []), ref.id]);
  }
  return out;
}

/** Closes the gaps a published article's tags name; how many closed. Never throws. */
export async function closeGapsOf(env: Env, config: Config, tags: readonly string[]): Promise<number> {
  const byRegion = gapsOfTags(tags);
  if (!byRegion.size) return 0;
  const closed = await readRegions(env, config, (stub, region) => stub.closeGaps(region, byRegion.get(region) ?? []), [...byRegion.keys()]);
  return closed.reduce((n, r) => n + r.value, 0);
}

// Where ops data may live. Events carry no personal data and go to their region's
// RegionOpsDO wherever it is; question text (redacted, for the KB gap report) is derived
// from what customers wrote, so an EU conversation's questions go only to a RegionOpsDO in
// the EU jurisdiction (weur, eeur) and are dropped when its region is any other.
import type { Region } from "../edge/regions.ts";

/** The regions whose RegionOpsDO is created in the `eu` jurisdiction. */
export const EU_OPS_REGIONS: readonly Region[] = ["weur", "eeur"];

/** The jurisdiction a region's RegionOpsDO lives in, if any. */
export function opsJurisdictionOf(region: Region): "eu" | null {
  return EU_OPS_REGIONS.includes(region) ? "eu" : null;
}

/** Whether a conversation's question text may be kept by its region's RegionOpsDO. */
export function mayKeepQuestionText(region: Region, jurisdiction: "eu" | null): boolean {
  return jurisdiction !== "eu" || opsJurisdictionOf(region) === "eu";
}

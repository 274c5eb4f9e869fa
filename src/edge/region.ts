// Where a request comes from, in Holdfast's terms: the region (Durable Object location hint)
// whose replica answers it, and the jurisdiction its conversation must live in. Derived
// from `request.cf` through tables in code; anything unknown falls back to the default.
import { isRegion, type Region } from "./regions.ts";

/** The fields of `request.cf` this reads. */
export interface RequestGeo {
  country?: string;
  continent?: string;
  longitude?: string;
  timezone?: string;
  colo?: string;
}

export type Jurisdiction = "eu";

const EASTERN_EUROPE = new Set(["PL", "CZ", "SK", "HU", "RO", "BG", "UA", "BY", "MD", "LT", "LV", "EE", "RU", "RS", "HR", "SI", "BA", "ME", "MK", "AL", "GR", "CY", "FI"]);
const MIDDLE_EAST = new Set(["AE", "SA", "QA", "KW", "BH", "OM", "IL", "PS", "JO", "LB", "SY", "IQ", "IR", "YE", "TR", "EG"]);
const EU = new Set(["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]);
const WESTERN_NA_ZONES = /^America\/(Los_Angeles|Vancouver|Tijuana|Denver|Phoenix|Boise|Edmonton|Whitehorse|Anchorage|Juneau|Mazatlan|Hermosillo)|^Pacific\/Honolulu/;

/** The region for a request's location. */
export function regionOf(geo: RequestGeo | undefined, fallback: Region): Region {
  const country = geo?.country?.toUpperCase();
  if (country && MIDDLE_EAST.has(country)) return "me";
  switch (geo?.continent) {
    case "NA": {
      const longitude = Number(geo.longitude);
      if (Number.isFinite(longitude) && geo.longitude) return longitude < -100 ? "wnam" : "enam";
      return WESTERN_NA_ZONES.test(geo.timezone ?? "") ? "wnam" : "enam";
    }
    case "SA":
      return "sam";
    case "EU":
      return country && EASTERN_EUROPE.has(country) ? "eeur" : "weur";
    case "AS":
      return "apac";
    case "OC":
      return "oc";
    case "AF":
      return "afr";
    default:
      return fallback;
  }
}

/** Conversations started in an EU country live in the EU jurisdiction. */
export function jurisdictionOf(geo: RequestGeo | undefined): Jurisdiction | null {
  const country = geo?.country?.toUpperCase();
  return country && EU.has(country) ? "eu" : null;
}

/** The replica to try when a region's own cannot answer. */
export const NEIGHBOUR: Record<Region, Region> = {
  wnam: "enam",
  enam: "wnam",
  sam: "enam",
  weur: "eeur",
  eeur: "weur",
  apac: "oc",
  oc: "apac",
  afr: "weur",
  me: "eeur",
};

/** A region named by a development override header, if it is one. */
export function forcedRegion(value: string | undefined): Region | null {
  return value && isRegion(value) ? value : null;
}

// An aggregate: a time window's tallies merged per label set, plus the window's gauge
// maxima. What queries return, what KPIs, series and alerts are computed from, and what
// merges across regions. Plain objects only, so it crosses RPC and JSON unchanged.
import type { Mode } from "./events.ts";
import { emptyTally, mergeTally, parseLabelKey, type Labels, type Tally } from "./tally.ts";

/** Gauges sampled into each minute (the bucket keeps the minute's maximum). */
export type GaugeName = "replica_lag_seconds" | "handoff_queue_depth" | "handoff_oldest_wait_seconds" | "degraded";
export const GAUGE_NAMES: readonly GaugeName[] = ["replica_lag_seconds", "handoff_queue_depth", "handoff_oldest_wait_seconds", "degraded"];

export interface Aggregate {
  /** The region, or the regions merged joined with `,`. */
  region: string;
  /** Epoch ms: the first bucket's start (inclusive) and the last bucket's end (exclusive). */
  from: number;
  to: number;
  /** Merged tallies by label key (`mode|language|kbVersion|version`; saved before versions: the first three). */
  tallies: Record<string, Tally>;
  /** Each gauge's maximum over the window, when it was sampled in it. */
  gauges: Partial<Record<GaugeName, number>>;
}

/** What a query keeps: label values to match (absent: any). */
export interface Filter {
  mode?: Mode;
  language?: string;
  /** A KB version, or `none` for replies made without one. */
  kbVersion?: number | "none";
  /** A Worker version id, `unknown` or `other`. */
  version?: string;
}

export type Dimension = keyof Labels;

export function emptyAggregate(region: string, from: number, to: number): Aggregate {
  return { region, from, to, tallies: {}, gauges: {} };
}

/** Whether a label key passes a filter. */
export function matches(key: string, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const l = parseLabelKey(key);
  if (filter.mode !== undefined && l.mode !== filter.mode) return false;
  if (filter.language !== undefined && l.language !== filter.language) return false;
  if (filter.kbVersion !== undefined && l.kbVersion !== String(filter.kbVersion)) return false;
  if (filter.version !== undefined && l.version !== filter.version) return false;
  return true;
}

export function addTally(agg: Aggregate, key: string, t: Tally): void {
  mergeTally((agg.tallies[key] ??= emptyTally()), t);
}

export function maxGauge(gauges: Partial<Record<GaugeName, number>>, name: GaugeName, value: number): void {
  const prev = gauges[name];
  gauges[name] = prev === undefined ? value : Math.max(prev, value);
}

/** Several aggregates (regions) as one. */
export function mergeAggregates(aggs: readonly Aggregate[]): Aggregate {
  const out = emptyAggregate(aggs.map((a) => a.region).join(","), Math.min(...aggs.map((a) => a.from)), Math.max(...aggs.map((a) => a.to)));
  for (const agg of aggs) {
    for (const [key, t] of Object.entries(agg.tallies)) addTally(out, key, t);
    for (const [name, v] of Object.entries(agg.gauges) as Array<[GaugeName, number]>) maxGauge(out.gauges, name, v);
  }
  return out;
}

/** All of an aggregate's tallies merged into one. */
export function overall(agg: Aggregate): Tally {
  const t = emptyTally();
  for (const s of Object.values(agg.tallies)) mergeTally(t, s);
  return t;
}

/** The aggregate's tallies merged per value of one dimension. */
export function sliceBy(agg: Aggregate, dim: Dimension): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const [key, t] of Object.entries(agg.tallies)) mergeTally((out[parseLabelKey(key)[dim]] ??= emptyTally()), t);
  return out;
}

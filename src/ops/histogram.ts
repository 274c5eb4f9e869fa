// Fixed-bucket histograms (Prometheus-style `le` bounds in seconds): constant memory per
// histogram whatever the traffic, mergeable across minutes and regions, and percentiles
// estimated as Prometheus' histogram_quantile does (linear within a bucket).
import { AGENT_RESPONSE_BUCKETS_SECONDS, LATENCY_BUCKETS_SECONDS } from "./events.ts";

/** The histograms ops keeps, and their bounds. */
export const HISTOGRAM_BOUNDS = {
  turn_seconds: LATENCY_BUCKETS_SECONDS,
  agent_first_response_seconds: AGENT_RESPONSE_BUCKETS_SECONDS,
} as const satisfies Record<string, readonly number[]>;

export type HistogramName = keyof typeof HISTOGRAM_BOUNDS;
export const HISTOGRAM_NAMES = Object.keys(HISTOGRAM_BOUNDS) as HistogramName[];

/** Observations per bucket (not cumulative; the last is past the last bound, `+Inf`) and their sum. */
export interface Histogram {
  counts: number[];
  sum: number;
}

export function emptyHistogram(name: HistogramName): Histogram {
  return { counts: new Array<number>(HISTOGRAM_BOUNDS[name].length + 1).fill(0), sum: 0 };
}

/** Adds one observation (seconds). */
export function observe(h: Histogram, name: HistogramName, seconds: number): void {
  const bounds = HISTOGRAM_BOUNDS[name];
  const v = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
  let i = bounds.findIndex((le) => v <= le);
  if (i < 0) i = bounds.length;
  h.counts[i]!++;
  h.sum += v;
}

export function countOf(h: Histogram): number {
  let n = 0;
  for (const c of h.counts) n += c;
  return n;
}

/** Adds `source` into `target` (same histogram name). */
export function mergeHistogram(target: Histogram, source: Histogram): void {
  for (let i = 0; i < target.counts.length; i++) target.counts[i]! += source.counts[i] ?? 0;
  target.sum += source.sum;
}

/** Counts of observations ≤ each bound, ending with the total (the `+Inf` bucket). */
export function cumulativeCounts(h: Histogram): number[] {
  let running = 0;
  return h.counts.map((c) => (running += c));
}

/**
 * The q-quantile (0 < q ≤ 1) in seconds, null when empty. Linear interpolation within the
 * bucket the rank falls in (from 0 for the first bucket); a rank in `+Inf` gives the last
 * finite bound, as histogram_quantile does.
 */
export function quantile(h: Histogram, name: HistogramName, q: number): number | null {
  const bounds = HISTOGRAM_BOUNDS[name];
  const total = countOf(h);
  if (total === 0) return null;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let below = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const inBucket = h.counts[i]!;
    if (inBucket > 0 && below + inBucket >= rank) {
      if (i === bounds.length) return bounds[bounds.length - 1]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + ((bounds[i]! - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1]!;
}

/** Compact JSON: `[sum, ...counts]`. */
export function histogramToJSON(h: Histogram): number[] {
  return [h.sum, ...h.counts];
}

/** Reads `histogramToJSON`'s form back, tolerating a different bucket count (pads or drops). */
export function histogramFromJSON(name: HistogramName, json: readonly number[]): Histogram {
  const h = emptyHistogram(name);
  h.sum = Number(json[0]) || 0;
  for (let i = 0; i < h.counts.length; i++) h.counts[i] = Math.max(0, Number(json[i + 1]) || 0);
  return h;
}

// The named measures of an aggregate (degraded share, latency percentiles, queue wait …),
// defined once for the series API, the alert rules and the KPI summary.
import { maxGauge, overall, type Aggregate, type GaugeName } from "./aggregate.ts";
import { countOf, quantile, type HistogramName } from "./histogram.ts";
import { count, emptyTally, mergeTally, type Tally } from "./tally.ts";

export const METRIC_NAMES = [
  "turns",
  "handoffs",
  "sla_breaches",
  "degraded_share",
  "primary_unreachable_share",
  "error_rate",
  "handoff_rate",
  "turn_latency_p50",
  "turn_latency_p99",
  "turn_latency_mean",
  "agent_first_response_p50",
  "agent_first_response_p90",
  "csat",
  "helpful_ratio",
  "replica_lag",
  "queue_depth",
  "queue_wait",
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export function isMetricName(value: string): value is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(value);
}

/** A measure's value and how many observations it rests on (alerts need a minimum). */
export interface Measurement {
  value: number;
  samples: number;
}

const ratio = (part: number, whole: number): Measurement | null => (whole > 0 ? { value: part / whole, samples: whole } : null);

function percentile(t: Tally, name: HistogramName, q: number): Measurement | null {
  const h = t.histograms[name];
  const value = h ? quantile(h, name, q) : null;
  return h && value !== null ? { value, samples: countOf(h) } : null;
}

/**
 * A measure of one tally and the window's gauges; null when it is undefined (no turns for a
 * share, no observation for a percentile, the gauge never sampled). Latencies and waits are
 * in seconds, shares in 0–1, counts as counts.
 */
export function measureTally(metric: MetricName, t: Tally, gauges: Aggregate["gauges"] = {}): Measurement | null {
  const turns = count(t, "turns");
  const gauge = (v: number | undefined): Measurement | null => (v === undefined ? null : { value: v, samples: 1 });
  switch (metric) {
    case "turns":
      return { value: turns, samples: turns };
    case "handoffs":
      return { value: count(t, "handoffs"), samples: turns };
    case "sla_breaches":
      return { value: count(t, "sla_breaches"), samples: count(t, "handoffs") };
    case "degraded_share":
      return ratio(count(t, "degraded_turns"), turns);
    case "primary_unreachable_share":
      // Turns answered from a copy gone stale because the KB primary cannot be reached.
      return ratio(count(t, "degraded:primary_unreachable"), turns);
    case "error_rate":
      return ratio(count(t, "turn:error"), turns);
    case "handoff_rate":
      return ratio(count(t, "handoffs"), turns);
    case "turn_latency_p50":
      return percentile(t, "turn_seconds", 0.5);
    case "turn_latency_p99":
      return percentile(t, "turn_seconds", 0.99);
    case "turn_latency_mean": {
      const h = t.histograms.turn_seconds;
      return h ? ratio(h.sum, countOf(h)) : null;
    }
    case "agent_first_response_p50":
      return percentile(t, "agent_first_response_seconds", 0.5);
    case "agent_first_response_p90":
      return percentile(t, "agent_first_response_seconds", 0.9);
    case "csat":
      return ratio(count(t, "rating_sum"), count(t, "ratings"));
    case "helpful_ratio":
      return ratio(count(t, "helpful"), count(t, "helpful") + count(t, "not_helpful"));
    case "replica_lag":
      return gauge(gauges.replica_lag_seconds);
    case "queue_depth":
      return gauge(gauges.handoff_queue_depth);
    case "queue_wait":
      return gauge(gauges.handoff_oldest_wait_seconds);
  }
}

/** A measure of a whole aggregate. */
export function measure(metric: MetricName, agg: Aggregate): Measurement | null {
  return measureTally(metric, overall(agg), agg.gauges);
}

/** A window cut into steps: each step's merged tally and gauge maxima (Rollup.steps). */
export interface Steps {
  /** Milliseconds per step. */
  step: number;
  slots: Array<{ t: number; tally: Tally; gauges: Aggregate["gauges"] }>;
}

export interface Series {
  metric: MetricName;
  /** Milliseconds per point. */
  step: number;
  points: Array<{ t: number; value: number | null }>;
}

/** A metric's chart from one or more regions' steps (same window, time and step), merged step by step. */
export function seriesOf(metric: MetricName, regions: readonly Steps[]): Series {
  const [first] = regions;
  const points = (first?.slots ?? []).map(({ t }, i) => {
    const tally = emptyTally();
    const gauges: Aggregate["gauges"] = {};
    for (const r of regions) {
      const slot = r.slots[i];
      if (!slot || slot.t !== t) continue;
      mergeTally(tally, slot.tally);
      for (const [name, v] of Object.entries(slot.gauges) as Array<[GaugeName, number]>) maxGauge(gauges, name, v);
    }
    return { t, value: measureTally(metric, tally, gauges)?.value ?? null };
  });
  return { metric, step: first?.step ?? 0, points };
}

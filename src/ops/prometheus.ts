// The Prometheus text exposition format (0.0.4) for GET /metrics: a small writer (HELP and
// TYPE lines, escaped label values, cumulative `le` buckets) and the metric families built
// from regions' persisted totals and current gauges. Every counter and histogram has a
// `version` label (the Worker version that emitted the events), so the versions of a gradual
// deployment compare side by side; gauges describe the region and have none.
import { DEGRADED_REASONS, HANDOFF_REASONS, MODES, RESOLUTIONS, TURN_DECISIONS } from "./events.ts";
import { emptyHistogram, HISTOGRAM_BOUNDS, mergeHistogram, type HistogramName } from "./histogram.ts";
import type { MetricsView, Totals } from "./rollup.ts";
import { count, type CounterName, type Tally } from "./tally.ts";
import { UNKNOWN_VERSION } from "./version.ts";

/** The Content-Type of a /metrics response. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface HistogramSample {
  labels: Labels;
  bounds: readonly number[];
  /** Observations per bucket, not cumulative; one more than bounds (the +Inf bucket). */
  counts: readonly number[];
  sum: number;
}

export type Family =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Sample[] }
  | { name: string; help: string; type: "histogram"; samples: HistogramSample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value as the format writes it between quotes. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value: Go float syntax, with NaN, +Inf and -Inf. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => {
    if (!LABEL_NAME.test(k) || k.startsWith("__")) throw new Error(`invalid label name ${k}`);
    return `${k}="${escapeLabelValue(v)}"`;
  });
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** Renders families as one exposition body (each family's lines together, ending in a newline). */
export function renderFamilies(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    if (f.type === "counter" && !f.name.endsWith("_total")) throw new Error(`counter ${f.name} must end in _total`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type !== "histogram") {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
      continue;
    }
    for (const s of f.samples) {
      if ("le" in s.labels) throw new Error("a histogram's labels must not include le");
      let running = 0;
      s.bounds.forEach((le, i) => lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: formatValue(le) })} ${formatValue((running += s.counts[i] ?? 0))}`));
      running += s.counts[s.bounds.length] ?? 0;
      lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${formatValue(running)}`);
      lines.push(`${f.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`, `${f.name}_count${labelText(s.labels)} ${formatValue(running)}`);
    }
  }
  return lines.join("\n") + "\n";
}

const sumModes = (t: Totals, name: CounterName) => MODES.reduce((n, m) => n + count(t[m], name), 0);

/** A region's totals by version (a region whose object predates versions: all of it `unknown`). */
const versionsOf = (v: MetricsView): Array<[string, Totals]> => Object.entries(v.byVersion ?? { [UNKNOWN_VERSION]: v.totals });

type PerVersion = (t: Totals) => Array<[Labels, number]>;
type PerRegion = (v: MetricsView) => Array<[Labels, number]>;

function counterFamily(name: string, help: string, views: readonly MetricsView[], each: PerVersion): Family {
  const samples = views.flatMap((v) => versionsOf(v).flatMap(([version, t]) => each(t).map(([labels, value]) => ({ labels: { region: v.region, ...labels, version }, value }))));
  return { name, help, type: "counter", samples };
}

function gaugeFamily(name: string, help: string, views: readonly MetricsView[], each: PerRegion): Family {
  return { name, help, type: "gauge", samples: views.flatMap((v) => each(v).map(([labels, value]) => ({ labels: { region: v.region, ...labels }, value }))) };
}

function histogramFamily(name: HistogramName, family: string, help: string, views: readonly MetricsView[], each: (t: Totals) => Array<[Labels, Tally[]]>): Family {
  const samples = views.flatMap((v) => versionsOf(v).flatMap(([version, t]) => each(t).map(([labels, tallies]) => histogramSample({ region: v.region, ...labels, version }, name, tallies))));
  return { name: family, help, type: "histogram", samples };
}

function histogramSample(labels: Labels, name: HistogramName, tallies: Tally[]): HistogramSample {
  const h = emptyHistogram(name);
  for (const t of tallies) {
    const part = t.histograms[name];
    if (part) mergeHistogram(h, part);
  }
  return { labels, bounds: HISTOGRAM_BOUNDS[name], counts: h.counts, sum: h.sum };
}

/** The /metrics families of one or more regions (each view: persisted totals, current gauges). */
export function metricFamilies(views: readonly MetricsView[]): Family[] {
  return [
    counterFamily("holdfast_turns_total", "Customer turns answered, by reply mode and policy decision (error: no reply).", views, (t) =>
      MODES.flatMap((mode) => TURN_DECISIONS.map((decision): [Labels, number] => [{ mode, decision }, count(t[mode], `turn:${decision}`)])),
    ),
    counterFamily("holdfast_degraded_turns_total", "Turns answered in degraded mode, by reason.", views, (t) => DEGRADED_REASONS.map((reason) => [{ reason }, count(t.degraded, `degraded:${reason}`)])),
    histogramFamily("turn_seconds", "holdfast_turn_duration_seconds", "Time from a customer message to its reply being ready.", views, (t) => MODES.map((mode) => [{ mode }, [t[mode]]])),
    counterFamily("holdfast_handoffs_total", "Conversations handed to a person, by reason.", views, (t) => HANDOFF_REASONS.map((reason) => [{ reason }, sumModes(t, `handoff:${reason}`)])),
    counterFamily("holdfast_agent_replies_total", "Replies written by agents.", views, (t) => [[{}, sumModes(t, "agent_replies")]]),
    histogramFamily("agent_first_response_seconds", "holdfast_agent_first_response_seconds", "Time from a handoff to the agent's first reply.", views, (t) => [[{}, MODES.map((m) => t[m])]]),
    counterFamily("holdfast_sla_breaches_total", "Handoffs whose first agent reply came later than the SLA (counted when the SLA passed).", views, (t) => [[{}, sumModes(t, "sla_breaches")]]),
    counterFamily("holdfast_ratings_total", "CSAT ratings, by score (1-5).", views, (t) => ([1, 2, 3, 4, 5] as const).map((score) => [{ score: String(score) }, sumModes(t, `rating:${score}`)])),
    counterFamily("holdfast_ratings_replaced_total", "CSAT ratings replaced by a later rating of the same conversation, by the replaced score (ratings_total minus this: one per conversation).", views, (t) =>
      ([1, 2, 3, 4, 5] as const).map((score) => [{ score: String(score) }, sumModes(t, `rating_replaced:${score}`)]),
    ),
    counterFamily("holdfast_feedback_total", "Replies marked helpful or not helpful.", views, (t) => [
      [{ helpful: "true" }, sumModes(t, "helpful")],
      [{ helpful: "false" }, sumModes(t, "not_helpful")],
    ]),
    counterFamily("holdfast_conversations_total", "Ended conversations with at least one turn, by resolution.", views, (t) => RESOLUTIONS.map((resolution) => [{ resolution }, sumModes(t, `resolution:${resolution}`)])),
    counterFamily("holdfast_recontacts_total", "Customers back within the recontact window after a resolved conversation.", views, (t) => [[{}, sumModes(t, "recontacts")]]),
    gaugeFamily("holdfast_handoff_queue_depth", "Handoffs waiting for an agent's first reply.", views, (v) => [[{}, v.gauges.queueDepth]]),
    gaugeFamily("holdfast_handoff_oldest_wait_seconds", "How long the longest-waiting handoff has waited.", views, (v) => [[{}, v.gauges.oldestWaitSeconds]]),
    gaugeFamily("holdfast_replica_lag_seconds", "How far the region's KB replica was last seen behind the primary.", views, (v) => (v.gauges.replicaLagSeconds === null ? [] : [[{}, v.gauges.replicaLagSeconds]])),
    gaugeFamily("holdfast_breaker_open", "1 while a circuit breaker is open or half-open.", views, (v) => Object.entries(v.gauges.breakers).map(([breaker, open]) => [{ breaker }, open])),
    gaugeFamily("holdfast_degraded", "1 while the region replies in degraded mode.", views, (v) => [[{}, v.gauges.degraded ? 1 : 0]]),
  ];
}

/** The whole /metrics body for one or more regions. */
export function metricsBody(views: readonly MetricsView[]): string {
  return renderFamilies(metricFamilies(views));
}

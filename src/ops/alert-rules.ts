// Alert rules: thresholds with warning and critical levels, anomalies (a z-score of a
// metric against its own recent history), and unusual transcript reads (an operator reading
// far more than their usual day). Built-in defaults, overridable per rule from the
// ALERT_RULES configuration (JSON); a bad override keeps the default and is reported. Every
// rule names its runbook page (src/ops/runbooks.ts).
import { z } from "zod";
import { isMetricName, METRIC_NAMES, type MetricName } from "./metrics.ts";
import { RUNBOOK_INDEX, RUNBOOK_PATH, ruleRunbook } from "./runbooks.ts";

export type Level = "warning" | "critical";

/** What a rule measures: a metric of the rollup, or an operator's transcript reads. */
export type AlertMetric = MetricName | "transcript_reads";

interface RuleBase {
  id: string;
  enabled: boolean;
  /** The rule's runbook: a path in the repository (docs/runbooks/…). */
  runbook: string;
  /** `above`: fires when the value (or z-score) reaches a level; `below`: when it falls to one. */
  direction: "above" | "below";
  /** The metric is measured over the last this many minutes (the current one included). */
  windowMinutes: number;
  /** Fewer observations than this in the window: the rule does not fire (and an open alert clears). */
  minSamples: number;
  /** An open alert resolves once its condition has been clear this long. */
  resolveAfterMinutes: number;
}

/** Fires at `warning` / `critical` values of the metric (in its units: shares 0–1, seconds). */
export interface ThresholdRule extends RuleBase {
  kind: "threshold";
  metric: MetricName;
  warning: number;
  critical: number;
}

/**
 * Fires at `warning` / `critical` z-scores: the window's value against the mean and standard
 * deviation of the same metric over the preceding windows of the same length within
 * `historyMinutes`. Needs `warmupWindows` past windows with enough samples first; the
 * deviation is taken as at least `minStdDev` (metric units) so a flat history is not brittle.
 */
export interface AnomalyRule extends RuleBase {
  kind: "anomaly";
  metric: MetricName;
  warning: number;
  critical: number;
  historyMinutes: number;
  warmupWindows: number;
  minStdDev: number;
}

/**
 * Fires, one alert per operator (its `subject`), when an operator read more distinct
 * conversations' transcripts in the last `windowMinutes` than `warning` / `critical` times
 * their median day — over the days of the last `historyDays` on which they read any — and
 * at least `minSamples`. With no such day (a new operator) `minSamples` alone is the bar.
 */
export interface ReadsRule extends RuleBase {
  kind: "reads";
  metric: "transcript_reads";
  warning: number;
  critical: number;
  historyDays: number;
}

export type AlertRule = ThresholdRule | AnomalyRule | ReadsRule;

const threshold = (id: string, metric: MetricName, warning: number, critical: number, windowMinutes: number, minSamples: number, runbook = ruleRunbook(id)): ThresholdRule => ({
  id,
  kind: "threshold",
  metric,
  enabled: true,
  runbook,
  direction: "above",
  warning,
  critical,
  windowMinutes,
  minSamples,
  resolveAfterMinutes: 2,
});

const anomaly = (id: string, metric: MetricName, minStdDev: number, minSamples: number, runbook = ruleRunbook(id)): AnomalyRule => ({
  id,
  kind: "anomaly",
  metric,
  enabled: true,
  runbook,
  direction: "above",
  warning: 3,
  critical: 5,
  windowMinutes: 10,
  minSamples,
  resolveAfterMinutes: 10,
  historyMinutes: 6 * 60,
  warmupWindows: 12,
  minStdDev,
});

/**
 * An hour's reads against the operator's median day: more in one hour than on a usual
 * whole day is a warning, three times that critical; never below 30 conversations an hour.
 */
const reads = (id: string): ReadsRule => ({
  id,
  kind: "reads",
  metric: "transcript_reads",
  enabled: true,
  runbook: ruleRunbook(id),
  direction: "above",
  warning: 1,
  critical: 3,
  windowMinutes: 60,
  minSamples: 30,
  resolveAfterMinutes: 30,
  historyDays: 7,
});

/**
 * The built-in rules. A region whose replies are all degraded reaches a 5-minute degraded
 * share of 0.6 after 3 minutes even with steady normal traffic before: critical (0.5).
 * `primary_unreachable` names the KB primary's loss: replicas that cannot sync serve a stale
 * copy, and the turns they answer say so (docs/runbooks/disaster-recovery.md).
 */
export const DEFAULT_RULES: readonly AlertRule[] = [
  threshold("degraded_share", "degraded_share", 0.1, 0.5, 5, 3),
  threshold("primary_unreachable", "primary_unreachable_share", 0.05, 0.5, 5, 3),
  threshold("turn_latency_p99", "turn_latency_p99", 3, 8, 5, 20),
  threshold("replica_lag", "replica_lag", 300, 1800, 5, 1),
  threshold("queue_wait", "queue_wait", 180, 600, 1, 1),
  threshold("error_rate", "error_rate", 0.02, 0.1, 5, 20),
  anomaly("handoff_rate_anomaly", "handoff_rate", 0.02, 10),
  anomaly("turn_latency_anomaly", "turn_latency_mean", 0.05, 10),
  reads("transcript_reads"),
];

const Override = z.strictObject({
  kind: z.enum(["threshold", "anomaly"]).optional(),
  metric: z.enum(METRIC_NAMES).optional(),
  enabled: z.boolean().optional(),
  direction: z.enum(["above", "below"]).optional(),
  warning: z.number().finite().optional(),
  critical: z.number().finite().optional(),
  windowMinutes: z.number().int().min(1).max(1440).optional(),
  minSamples: z.number().int().min(0).optional(),
  resolveAfterMinutes: z.number().int().min(0).max(1440).optional(),
  historyMinutes: z.number().int().min(2).max(1440).optional(),
  warmupWindows: z.number().int().min(2).optional(),
  minStdDev: z.number().min(0).optional(),
  historyDays: z.number().int().min(1).max(7).optional(),
  runbook: z.string().regex(RUNBOOK_PATH).optional(),
});

const RULE_ID = /^[a-z][a-z0-9_]{0,63}$/;

/** Why an override was not applied: the rule and the field, never the value. */
export interface RuleError {
  rule: string;
  issue: string;
}

function consistent(rule: AlertRule): string | null {
  if (rule.direction === "above" ? rule.critical < rule.warning : rule.critical > rule.warning) return "critical must be at or beyond warning";
  if (rule.kind === "anomaly" && rule.historyMinutes < rule.windowMinutes * 2) return "historyMinutes must cover at least two windows";
  if (rule.kind === "reads" && (rule.direction !== "above" || rule.metric !== "transcript_reads")) return "a reads rule counts transcript_reads, above";
  return null;
}

/**
 * The rules after ALERT_RULES overrides: a JSON object by rule id, each value a partial rule
 * (`{ "degraded_share": { "critical": 0.4 }, "queue_wait": { "enabled": false } }`). An id
 * that is not built in adds a rule and needs `kind` and `metric`. Malformed JSON or a bad
 * entry leaves the defaults (for that entry) and is reported.
 */
export function parseAlertRules(raw: string | undefined, defaults: readonly AlertRule[] = DEFAULT_RULES): { rules: AlertRule[]; errors: RuleError[] } {
  const rules = defaults.map((r) => ({ ...r }));
  const errors: RuleError[] = [];
  if (!raw?.trim()) return { rules, errors };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { rules, errors: [{ rule: "*", issue: "ALERT_RULES is not valid JSON" }] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { rules, errors: [{ rule: "*", issue: "ALERT_RULES must be an object keyed by rule id" }] };
  for (const [id, value] of Object.entries(parsed)) {
    if (!RULE_ID.test(id)) {
      errors.push({ rule: "*", issue: "rule ids are lower-case letters, digits and _" });
      continue;
    }
    const result = Override.safeParse(value);
    if (!result.success) {
      errors.push({ rule: id, issue: `invalid ${result.error.issues.map((i) => i.path.join(".") || "value").join(", ")}` });
      continue;
    }
    const o = result.data;
    const index = rules.findIndex((r) => r.id === id);
    const base = index >= 0 ? rules[index]! : o.kind && o.metric && isMetricName(o.metric) ? (o.kind === "threshold" ? threshold(id, o.metric, 0, 0, 5, 1, RUNBOOK_INDEX) : anomaly(id, o.metric, 0, 1, RUNBOOK_INDEX)) : null;
    if (!base) {
      errors.push({ rule: id, issue: "a new rule needs kind and metric" });
      continue;
    }
    if (o.kind && o.kind !== base.kind) {
      errors.push({ rule: id, issue: "kind cannot change" });
      continue;
    }
    if (base.kind === "reads" && o.metric !== undefined) {
      errors.push({ rule: id, issue: "metric cannot change" });
      continue;
    }
    const next = { ...base, ...o, kind: base.kind, id } as AlertRule;
    if (next.kind === "threshold" && index < 0 && (o.warning === undefined || o.critical === undefined)) {
      errors.push({ rule: id, issue: "a new threshold rule needs warning and critical" });
      continue;
    }
    const issue = consistent(next);
    if (issue) {
      errors.push({ rule: id, issue });
      continue;
    }
    if (index >= 0) rules[index] = next;
    else rules.push(next);
  }
  return { rules, errors };
}

// Alert evaluation, run on each RegionOpsDO alarm: every enabled rule is measured against
// the region's rollup, and open alerts are kept one per rule and region — a worse level
// escalates the open alert, a clear condition (for the rule's resolve delay) resolves it.
import type { Aggregate } from "./aggregate.ts";
import type { AlertRule, AnomalyRule, Level } from "./alert-rules.ts";
import { measure, type MetricName } from "./metrics.ts";
import type { WindowSpec } from "./rollup-store.ts";

/** What alerts read: a Rollup satisfies it. */
export interface AlertSource {
  readonly region: string;
  query(window: WindowSpec, now: number): Aggregate;
}

export interface Alert {
  /** `<rule>:<region>:<firedAt>`: unique, and stable for the alert's life. */
  id: string;
  ruleId: string;
  region: string;
  kind: AlertRule["kind"];
  metric: MetricName;
  /** The highest level reached; an alert does not de-escalate before it resolves. */
  level: Level;
  /** The last measured value (the z-score for anomalies) and the level it was compared with. */
  value: number;
  threshold: number;
  firedAt: number;
  updatedAt: number;
  /** Since when the condition has been clear (null while it holds). */
  clearSince: number | null;
  resolvedAt: number | null;
}

export interface Notice {
  kind: "fired" | "escalated" | "resolved";
  alert: Alert;
  at: number;
}

export interface Evaluation {
  /** Open alerts after this evaluation (the DO stores them and passes them back next time). */
  open: Alert[];
  notices: Notice[];
}

const MINUTE = 60_000;
const RANK: Record<Level, number> = { warning: 1, critical: 2 };

/** The level a value reaches under a rule, if any. */
function levelOf(rule: AlertRule, value: number): Level | null {
  const reaches = (limit: number) => (rule.direction === "above" ? value >= limit : value <= limit);
  return reaches(rule.critical) ? "critical" : reaches(rule.warning) ? "warning" : null;
}

/** The value a rule compares with its levels (the metric, or its z-score), or null if it cannot tell. */
function observe(rule: AlertRule, source: AlertSource, now: number): number | null {
  const current = measure(rule.metric, source.query({ minutes: rule.windowMinutes }, now));
  if (!current || current.samples < Math.max(1, rule.minSamples)) return null;
  return rule.kind === "threshold" ? current.value : zScore(rule, source, now, current.value);
}

/** The current window's z-score against the preceding windows of the same length. */
function zScore(rule: AnomalyRule, source: AlertSource, now: number, value: number): number | null {
  const history: number[] = [];
  const windows = Math.floor(rule.historyMinutes / rule.windowMinutes);
  for (let k = 1; k <= windows; k++) {
    const past = measure(rule.metric, source.query({ minutes: rule.windowMinutes }, now - k * rule.windowMinutes * MINUTE));
    if (past && past.samples >= Math.max(1, rule.minSamples)) history.push(past.value);
  }
  if (history.length < rule.warmupWindows) return null;
  const mean = history.reduce((a, b) => a + b, 0) / history.length;
  const variance = history.reduce((a, b) => a + (b - mean) ** 2, 0) / (history.length - 1);
  return (value - mean) / Math.max(Math.sqrt(variance), rule.minStdDev, Number.EPSILON);
}

/**
 * Evaluates the rules for the source's region at `now`. `open` holds the alerts open before
 * (any region's; other regions' pass through). Each rule has at most one open alert per
 * region: a first firing gives `fired`, a higher level `escalated` (same alert id), and a
 * condition clear for `resolveAfterMinutes` (or a rule removed or disabled) `resolved`.
 * Too few samples count as clear.
 */
export function evaluate(rules: readonly AlertRule[], source: AlertSource, open: readonly Alert[], now: number): Evaluation {
  const region = source.region;
  const next: Alert[] = open.filter((a) => a.region !== region);
  const notices: Notice[] = [];
  const mine = new Map(open.filter((a) => a.region === region).map((a) => [a.ruleId, a]));
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const existing = mine.get(rule.id);
    mine.delete(rule.id);
    const value = observe(rule, source, now);
    const level = value === null ? null : levelOf(rule, value);
    if (level && value !== null) {
      const threshold = rule[level];
      if (!existing) {
        const alert: Alert = { id: `${rule.id}:${region}:${now}`, ruleId: rule.id, region, kind: rule.kind, metric: rule.metric, level, value, threshold, firedAt: now, updatedAt: now, clearSince: null, resolvedAt: null };
        next.push(alert);
        notices.push({ kind: "fired", alert, at: now });
      } else if (RANK[level] > RANK[existing.level]) {
        const alert: Alert = { ...existing, level, value, threshold, updatedAt: now, clearSince: null };
        next.push(alert);
        notices.push({ kind: "escalated", alert, at: now });
      } else {
        next.push({ ...existing, value, updatedAt: now, clearSince: null });
      }
      continue;
    }
    if (!existing) continue;
    const clearSince = existing.clearSince ?? now;
    if (now - clearSince >= rule.resolveAfterMinutes * MINUTE) {
      notices.push({ kind: "resolved", alert: { ...existing, value: value ?? existing.value, updatedAt: now, clearSince, resolvedAt: now }, at: now });
    } else {
      next.push({ ...existing, value: value ?? existing.value, updatedAt: now, clearSince });
    }
  }
  // Alerts whose rule is gone or disabled resolve now.
  for (const alert of mine.values()) notices.push({ kind: "resolved", alert: { ...alert, updatedAt: now, resolvedAt: now }, at: now });
  return { open: next, notices };
}

/** A one-line description of a notice for humans (rule, region, level, value): no customer data. */
export function describeNotice(n: Notice): string {
  const a = n.alert;
  const value = Number.isInteger(a.value) ? String(a.value) : a.value.toFixed(3);
  const measured = a.kind === "anomaly" ? `z=${value}` : `${a.metric}=${value}`;
  return `[${n.kind}] ${a.ruleId} ${a.level} in ${a.region}: ${measured} (level ${a.threshold})`;
}

// Alert evaluation, run on each RegionOpsDO alarm: every enabled rule is measured against
// the region's rollup, and open alerts are kept one per rule and region (and per operator
// for the transcript-reads rule) — a worse level escalates the open alert, a clear
// condition (for the rule's resolve delay) resolves it. Every alert names its runbook; its
// likely cause and what was done about it are added by the RegionOpsDO (src/ops/likely-cause.ts,
// src/ops/remediation.ts).
import type { Aggregate } from "./aggregate.ts";
import type { AlertMetric, AlertRule, AnomalyRule, Level, ReadsRule } from "./alert-rules.ts";
import type { LikelyCause } from "./likely-cause.ts";
import { measure } from "./metrics.ts";
import type { OperatorReadStats } from "./operator-reads.ts";
import type { WindowSpec } from "./rollup-store.ts";

/** What alerts read: a Rollup satisfies it. */
export interface AlertSource {
  readonly region: string;
  query(window: WindowSpec, now: number): Aggregate;
  /** Per-operator transcript reads (the reads rule); a source without them never fires it. */
  operatorReads?(windowMs: number, historyDays: number, now: number): OperatorReadStats[];
}

/** One automatic action taken (or, in dry-run, that would have been) about an alert. */
export interface RemediationStep {
  /** `replica_resync`, `replica_rebuild`, `generation_off`, `generation_on`, `release_rollback`, `desk_requeue`. */
  action: string;
  /** What it acted on: a replica (`weur`, `apac:2`), a region, a release, a team. */
  target: string;
  /** `done`; `dry_run` (AUTO_REMEDIATION=dry-run: decided and audited, not done); `failed`. */
  result: "done" | "dry_run" | "failed";
  at: number;
  /** A short note (how many conversations were requeued, why it failed); never customer data. */
  detail?: string;
}

export interface Alert {
  /** `<rule>:<region>:<firedAt>` (`<rule>:<region>:<subject>:<firedAt>` with a subject): unique, and stable for the alert's life. */
  id: string;
  ruleId: string;
  region: string;
  kind: AlertRule["kind"];
  metric: AlertMetric;
  /** Who or what within the region the alert is about: the operator of a reads alert; null for the others. */
  subject: string | null;
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
  /** The rule's runbook page: a path in the repository (docs/runbooks/…). */
  runbook: string;
  /** The correlated signals when it fired (or last escalated), ranked, as a one-line hint; null until gathered. */
  likelyCause: LikelyCause | null;
  /** What was done about it automatically, oldest first; empty when nothing was. */
  remediation: RemediationStep[];
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

/** A rule's reading at one time: its value and the values at which it reaches each level. */
interface Observation {
  subject: string | null;
  value: number | null;
  warning: number;
  critical: number;
}

/** The level a value reaches, if any. */
function levelOf(direction: AlertRule["direction"], o: Observation & { value: number }): Level | null {
  const reaches = (limit: number) => (direction === "above" ? o.value >= limit : o.value <= limit);
  return reaches(o.critical) ? "critical" : reaches(o.warning) ? "warning" : null;
}

/** What a rule reads now: one observation (the metric or its z-score), or one per operator for the reads rule. */
function observe(rule: AlertRule, source: AlertSource, now: number): Observation[] {
  if (rule.kind === "reads") return observeReads(rule, source, now);
  const current = measure(rule.metric, source.query({ minutes: rule.windowMinutes }, now));
  const enough = current !== null && current.samples >= Math.max(1, rule.minSamples);
  const value = !enough ? null : rule.kind === "threshold" ? current.value : zScore(rule, source, now, current.value);
  return [{ subject: null, value, warning: rule.warning, critical: rule.critical }];
}

/** Each operator's reads in the window against `warning` / `critical` times their median day, never below `minSamples`. */
function observeReads(rule: ReadsRule, source: AlertSource, now: number): Observation[] {
  const floor = Math.max(1, rule.minSamples);
  return (source.operatorReads?.(rule.windowMinutes * MINUTE, rule.historyDays, now) ?? []).map((s) => ({
    subject: s.operator,
    value: s.recent,
    warning: Math.max(floor, rule.warning * s.medianDay),
    critical: Math.max(floor, rule.critical * s.medianDay),
  }));
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

const keyOf = (ruleId: string, subject: string | null) => `${ruleId}\u0000${subject ?? ""}`;

/**
 * Evaluates the rules for the source's region at `now`. `open` holds the alerts open before
 * (any region's; other regions' pass through). Each rule has at most one open alert per
 * region and subject: a first firing gives `fired`, a higher level `escalated` (same alert
 * id), and a condition clear for `resolveAfterMinutes` (or a rule removed or disabled)
 * `resolved`. Too few samples count as clear.
 */
export function evaluate(rules: readonly AlertRule[], source: AlertSource, open: readonly Alert[], now: number): Evaluation {
  const region = source.region;
  const next: Alert[] = open.filter((a) => a.region !== region);
  const notices: Notice[] = [];
  const mine = new Map(open.filter((a) => a.region === region).map((a) => [keyOf(a.ruleId, a.subject ?? null), a]));
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const observations = observe(rule, source, now);
    // An open alert whose subject was not observed this time is measured as clear.
    for (const a of mine.values()) {
      if (a.ruleId === rule.id && !observations.some((o) => o.subject === (a.subject ?? null))) observations.push({ subject: a.subject ?? null, value: null, warning: a.threshold, critical: a.threshold });
    }
    for (const o of observations) {
      const key = keyOf(rule.id, o.subject);
      const existing = mine.get(key);
      mine.delete(key);
      const level = o.value === null ? null : levelOf(rule.direction, { ...o, value: o.value });
      if (level && o.value !== null) {
        const value = o.value;
        const threshold = o[level];
        if (!existing) {
          const id = o.subject === null ? `${rule.id}:${region}:${now}` : `${rule.id}:${region}:${o.subject}:${now}`;
          const alert: Alert = { id, ruleId: rule.id, region, kind: rule.kind, metric: rule.metric, subject: o.subject, level, value, threshold, firedAt: now, updatedAt: now, clearSince: null, resolvedAt: null, runbook: rule.runbook, likelyCause: null, remediation: [] };
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
      const value = o.value ?? existing.value;
      if (now - clearSince >= rule.resolveAfterMinutes * MINUTE) {
        notices.push({ kind: "resolved", alert: { ...existing, value, updatedAt: now, clearSince, resolvedAt: now }, at: now });
      } else {
        next.push({ ...existing, value, updatedAt: now, clearSince });
      }
    }
  }
  // Alerts whose rule is gone or disabled resolve now.
  for (const alert of mine.values()) notices.push({ kind: "resolved", alert: { ...alert, updatedAt: now, resolvedAt: now }, at: now });
  return { open: next, notices };
}

/** A one-line description of a notice for humans (rule, region, level, value, likely cause, what was done): no customer data. */
export function describeNotice(n: Notice): string {
  const a = n.alert;
  const value = Number.isInteger(a.value) ? String(a.value) : a.value.toFixed(3);
  const measured = a.kind === "anomaly" ? `z=${value}` : `${a.metric}=${value}`;
  const subject = a.subject ? ` (${a.subject})` : "";
  const cause = a.likelyCause ? `; likely: ${a.likelyCause.hint}` : "";
  const done = a.remediation?.length ? `; remediation: ${a.remediation.map((s) => `${s.action} ${s.target} ${s.result}`).join(", ")}` : "";
  return `[${n.kind}] ${a.ruleId} ${a.level} in ${a.region}${subject}: ${measured} (level ${a.threshold})${cause}${done}`;
}

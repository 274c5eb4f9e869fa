// An alert's likely cause: the signals that correlate with it when it fires — faults on in
// development, open circuit breakers, degraded replies by reason, failed turns, a replica
// failing or behind, a KB version that just went live, an open release, a desk whose agents'
// consoles are gone — each scored for the alert's metric and ranked into a one-line hint.
//
// Scoring (documented in docs/ops.md): a signal counts only for the metrics it can explain
// (EXPLAINS); its score is its kind's weight (WEIGHT: how directly that kind of signal
// causes things) times its strength in 0–1 (a share of turns, how far behind, how fresh).
// Ties keep the order of WEIGHT. Pure: the RegionOpsDO gathers the signals.
import type { DegradedReason } from "../answer/degraded.ts";
import { overall, type Aggregate, type Filter } from "./aggregate.ts";
import type { AlertMetric } from "./alert-rules.ts";
import type { WindowSpec } from "./rollup-store.ts";
import { count, parseLabelKey } from "./tally.ts";

export type Signal =
  /** A fault switched on (development and drills only). */
  | { kind: "fault"; name: string }
  /** A circuit breaker reported not closed by the region's isolates. */
  | { kind: "breaker"; name: string }
  /** A change of the KB or answer settings being canaried (releases). */
  | { kind: "release"; id: string; ageMinutes: number }
  /** A desk holds conversations for agents whose consoles are all gone. */
  | { kind: "desk"; team: string; conversations: number }
  /** Degraded replies of one reason: their share of the window's turns. */
  | { kind: "degraded_reason"; reason: DegradedReason; turns: number; share: number }
  /** A replica shard failing to sync, or far behind the primary. */
  | { kind: "replica"; replica: string; lagSeconds: number | null; failures: number; error: string | null }
  /** Turns whose answerer failed (decision `error`: an apology). */
  | { kind: "turn_errors"; turns: number; share: number }
  /** A KB version first seen answering within the last hour. */
  | { kind: "kb_version"; version: number; ageMinutes: number };

export type SignalKind = Signal["kind"];

export type ScoredSignal = Signal & { score: number };

export interface LikelyCause {
  /** When the signals were gathered (epoch ms). */
  at: number;
  /** One line for people: the top signal, and how many more there are. */
  hint: string;
  /** The signals that explain the alert's metric, best first. */
  signals: ScoredSignal[];
}

/** How directly a kind of signal causes what alerts see (the order breaks ties too). */
export const WEIGHT: Record<SignalKind, number> = { fault: 1, desk: 0.9, breaker: 0.8, release: 0.7, degraded_reason: 0.7, replica: 0.6, turn_errors: 0.5, kb_version: 0.5 };

const LATENCY: AlertMetric[] = ["turn_latency_p50", "turn_latency_p99", "turn_latency_mean"];
const QUALITY: AlertMetric[] = ["handoff_rate", "helpful_ratio", "csat"];
/** What a lost KB primary shows as: replicas falling behind, and their stale copies' replies. */
const PRIMARY: AlertMetric[] = ["replica_lag", "degraded_share", "primary_unreachable_share"];
const DESK: AlertMetric[] = ["queue_wait", "queue_depth", "sla_breaches", "agent_first_response_p50", "agent_first_response_p90"];

/** The metrics a signal can explain. */
function explains(s: Signal): readonly AlertMetric[] {
  switch (s.kind) {
    case "fault":
      if (s.name === "primary-down") return PRIMARY;
      if (s.name === "limiter-down") return LATENCY;
      // Outgoing mail: nothing an alert measures.
      if (s.name === "mail-down") return [];
      if (s.name === "region-over-budget") return ["degraded_share"];
      if (s.name.startsWith("latency")) return [...LATENCY, "degraded_share"];
      return ["degraded_share", "error_rate", ...LATENCY, ...QUALITY];
    case "breaker":
      if (s.name === "primary") return PRIMARY;
      if (s.name === "rate_limiter") return LATENCY;
      return ["degraded_share", "error_rate", ...LATENCY, ...QUALITY];
    case "release":
      return ["degraded_share", "error_rate", ...QUALITY];
    case "desk":
      return DESK;
    case "degraded_reason":
      if (s.reason === "primary_unreachable") return ["primary_unreachable_share", "degraded_share", ...QUALITY];
      return s.reason === "deadline" ? ["degraded_share", ...LATENCY, ...QUALITY] : ["degraded_share", ...QUALITY];
    case "replica":
      return ["replica_lag", "degraded_share", "primary_unreachable_share", ...QUALITY];
    case "turn_errors":
      return ["error_rate", ...QUALITY];
    case "kb_version":
      return ["error_rate", ...QUALITY];
  }
}

/** How strongly the signal is present, 0–1. */
function strength(s: Signal): number {
  switch (s.kind) {
    case "fault":
    case "breaker":
    case "release":
      return 1;
    case "desk":
      return Math.min(1, s.conversations / 3);
    case "degraded_reason":
      return Math.min(1, s.share);
    case "replica":
      return s.failures > 0 ? Math.min(1, 0.5 + s.failures / 10) : Math.min(1, (s.lagSeconds ?? 0) / 1800);
    case "turn_errors":
      return Math.min(1, s.share * 10);
    case "kb_version":
      return Math.max(0, 1 - s.ageMinutes / 60);
  }
}

const ORDER = Object.keys(WEIGHT) as SignalKind[];
const round = (n: number) => Math.round(n * 1000) / 1000;

/** The signals that explain `metric`, scored and ranked, and the hint they make, as gathered at `at`. */
export function likelyCause(metric: AlertMetric, signals: readonly Signal[], at: number): LikelyCause {
  const scored = signals
    .map((s) => ({ ...s, score: explains(s).includes(metric) ? round(WEIGHT[s.kind] * strength(s)) : 0 }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const [top] = scored;
  const more = scored.length - 1;
  const hint = top ? `${describeSignal(top)}${more ? ` (+${more} more signal${more > 1 ? "s" : ""})` : ""}` : "no correlated signal";
  return { at, hint, signals: scored };
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** A signal in words (English; /ops words them in the reader's language from the fields). */
export function describeSignal(s: Signal): string {
  switch (s.kind) {
    case "fault":
      return `fault ${s.name} is on`;
    case "breaker":
      return `circuit breaker ${s.name} is open`;
    case "release":
      return `release ${s.id} is open (${s.ageMinutes} min)`;
    case "desk":
      return `team ${s.team}: ${s.conversations} conversation${s.conversations === 1 ? "" : "s"} held by agents whose consoles are gone`;
    case "degraded_reason":
      return `${percent(s.share)} of turns degraded: ${s.reason}`;
    case "replica":
      return s.failures > 0 ? `replica ${s.replica} failing to sync (${s.failures} failure${s.failures === 1 ? "" : "s"}${s.error ? `, ${s.error}` : ""})` : `replica ${s.replica} is ${Math.round(s.lagSeconds ?? 0)} s behind`;
    case "turn_errors":
      return `${percent(s.share)} of turns failed (answered with an apology)`;
    case "kb_version":
      return `KB version ${s.version} went live ${s.ageMinutes} min ago`;
  }
}

/** What the rollup signals are read from: a Rollup satisfies it. */
export interface SignalSource {
  query(window: WindowSpec, now: number, filter?: Filter): Aggregate;
  current(now: number): { breakers: Record<string, 0 | 1> };
}

const MINUTE = 60_000;
/** A KB version is "new" when it answered in the last hour and not in the six before. */
const NEW_VERSION_MINUTES = 60;
const VERSION_HISTORY_MINUTES = 360;

/**
 * The signals the region's own rollup holds over `windowMinutes`: breakers (a replica's only
 * for the region's own shards: an isolate reports every breaker it has), degraded reasons,
 * failed turns, new KB versions.
 */
export function rollupSignals(source: SignalSource, region: string, windowMinutes: number, now: number): Signal[] {
  const signals: Signal[] = [];
  const ours = (name: string) => !name.startsWith("replica:") || name === `replica:${region}` || name.startsWith(`replica:${region}:`);
  for (const [name, open] of Object.entries(source.current(now).breakers)) if (open && ours(name)) signals.push({ kind: "breaker", name });
  const window = overall(source.query({ minutes: Math.max(1, windowMinutes) }, now));
  const turns = count(window, "turns");
  if (turns > 0) {
    for (const [counter, n] of Object.entries(window.counters)) {
      const reason = counter.startsWith("degraded:") ? (counter.slice("degraded:".length) as DegradedReason) : null;
      if (reason && n) signals.push({ kind: "degraded_reason", reason, turns: n, share: n / turns });
    }
    const errors = count(window, "turn:error");
    if (errors) signals.push({ kind: "turn_errors", turns: errors, share: errors / turns });
  }
  const versionsIn = (agg: Aggregate) => new Set(Object.keys(agg.tallies).map((k) => parseLabelKey(k).kbVersion).filter((v) => /^\d+$/.test(v)));
  const recent = versionsIn(source.query({ minutes: NEW_VERSION_MINUTES }, now));
  const before = versionsIn(source.query({ minutes: VERSION_HISTORY_MINUTES }, now - NEW_VERSION_MINUTES * MINUTE));
  for (const v of recent) {
    if (before.has(v)) continue;
    const version = Number(v);
    // The oldest 5-minute step in the hour it answered in: about when it went live.
    let ageMinutes = 5;
    for (let m = NEW_VERSION_MINUTES; m >= 5; m -= 5) {
      if (count(overall(source.query({ minutes: 5 }, now - (m - 5) * MINUTE, { kbVersion: version })), "turns") > 0) {
        ageMinutes = m;
        break;
      }
    }
    signals.push({ kind: "kb_version", version, ageMinutes });
  }
  return signals;
}

// The support KPIs of GET /v1/ops/summary, computed from a window's aggregate, overall and
// sliced by language, KB version, mode and Worker version. Every rate is null when its denominator is 0.
import type { DegradedReason } from "../answer/degraded.ts";
import { mergeAggregates, overall, sliceBy, type Aggregate } from "./aggregate.ts";
import { DEGRADED_REASONS, HANDOFF_REASONS, TURN_DECISIONS, type HandoffReason, type TurnDecision } from "./events.ts";
import { measureTally } from "./metrics.ts";
import type { Window } from "./rollup-store.ts";
import { count, type Tally } from "./tally.ts";

/**
 * One slice's KPIs. Conversation KPIs count conversation_end events (conversations with at
 * least one turn) ended in the window; turn KPIs count turns in the window.
 */
export interface Kpis {
  turns: number;
  /** Turns by the policy's decision (`error`: the answerer failed, an apology was sent). */
  decisions: Record<TurnDecision, number>;
  conversations: number;
  /**
   * AI resolution, as the market leader defines it: conversations the bot answered without a
   * handoff where the customer confirmed it helped (`confirmed`), or did not ask for more
   * help within RESOLUTION_WINDOW of the last answer (`assumed`), over all conversations.
   * `rate` = (confirmed + assumed) / conversations.
   */
  aiResolution: { rate: number | null; confirmed: number; assumed: number; confirmedRate: number | null; assumedRate: number | null };
  /** 1 − handed-off conversations / conversations. */
  containment: number | null;
  /**
   * First-contact resolution: (resolved − recontacts) / conversations, where resolved counts
   * AI-confirmed, AI-assumed and agent resolutions, and a recontact is the same (hashed)
   * customer starting another conversation within the recontact window after a resolved
   * one. Recontacts are counted when they happen, so this is an estimate near window edges.
   */
  firstContactResolution: number | null;
  /** CSAT: mean score 1–5, the count per score, and the share of 4s and 5s. */
  csat: { mean: number | null; count: number; distribution: Record<"1" | "2" | "3" | "4" | "5", number>; satisfiedShare: number | null };
  /** helpful / (helpful + not helpful) reply feedback. */
  helpful: { ratio: number | null; helpful: number; notHelpful: number };
  /** Handoff events by reason. */
  handoffs: { total: number; reasons: Record<HandoffReason, number> };
  /** Seconds from handoff to the agent's first reply (histogram estimates). */
  agentFirstResponseSeconds: { p50: number | null; p90: number | null; count: number };
  /** Handoffs whose first agent reply came after the SLA, counted when the SLA passed. */
  slaBreaches: number;
  /** Degraded turns / turns, and degraded turns by reason. */
  degraded: { share: number | null; turns: number; reasons: Record<DegradedReason, number> };
  /** Turns with decision `error` / turns. */
  errorRate: number | null;
  /** Turn latency percentiles in seconds (histogram estimates). */
  turnLatencySeconds: { p50: number | null; p99: number | null };
}

export interface KpiSummary {
  /** The region, or the regions merged joined with `,`. */
  region: string;
  window: Window;
  from: number;
  to: number;
  overall: Kpis;
  byLanguage: Record<string, Kpis>;
  byKbVersion: Record<string, Kpis>;
  byMode: Record<string, Kpis>;
  /** By Worker version id (`unknown`: events that named none): a gradual deployment's versions side by side. */
  byVersion: Record<string, Kpis>;
  /** Gauge maxima over the window (null when never sampled). */
  gauges: { replicaLagSeconds: number | null; queueDepth: number | null; queueWaitSeconds: number | null };
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const value = (m: { value: number } | null) => m?.value ?? null;

/** The KPIs of one tally. */
export function kpisOf(t: Tally): Kpis {
  const conversations = count(t, "conversations");
  const confirmed = count(t, "resolution:ai_confirmed");
  const assumed = count(t, "resolution:ai_assumed");
  const resolved = confirmed + assumed + count(t, "resolution:agent");
  const ratings = count(t, "ratings");
  const helpful = count(t, "helpful");
  const notHelpful = count(t, "not_helpful");
  const turns = count(t, "turns");
  return {
    turns,
    decisions: Object.fromEntries(TURN_DECISIONS.map((d) => [d, count(t, `turn:${d}`)])) as Record<TurnDecision, number>,
    conversations,
    aiResolution: { rate: rate(confirmed + assumed, conversations), confirmed, assumed, confirmedRate: rate(confirmed, conversations), assumedRate: rate(assumed, conversations) },
    containment: conversations > 0 ? 1 - count(t, "handed_off_conversations") / conversations : null,
    firstContactResolution: conversations > 0 ? Math.max(0, resolved - count(t, "recontacts")) / conversations : null,
    csat: {
      mean: rate(count(t, "rating_sum"), ratings),
      count: ratings,
      distribution: { "1": count(t, "rating:1"), "2": count(t, "rating:2"), "3": count(t, "rating:3"), "4": count(t, "rating:4"), "5": count(t, "rating:5") },
      satisfiedShare: rate(count(t, "rating:4") + count(t, "rating:5"), ratings),
    },
    helpful: { ratio: rate(helpful, helpful + notHelpful), helpful, notHelpful },
    handoffs: { total: count(t, "handoffs"), reasons: Object.fromEntries(HANDOFF_REASONS.map((r) => [r, count(t, `handoff:${r}`)])) as Record<HandoffReason, number> },
    agentFirstResponseSeconds: { p50: value(measureTally("agent_first_response_p50", t)), p90: value(measureTally("agent_first_response_p90", t)), count: count(t, "agent_first_responses") },
    slaBreaches: count(t, "sla_breaches"),
    degraded: { share: rate(count(t, "degraded_turns"), turns), turns: count(t, "degraded_turns"), reasons: Object.fromEntries(DEGRADED_REASONS.map((r) => [r, count(t, `degraded:${r}`)])) as Record<DegradedReason, number> },
    errorRate: rate(count(t, "turn:error"), turns),
    turnLatencySeconds: { p50: value(measureTally("turn_latency_p50", t)), p99: value(measureTally("turn_latency_p99", t)) },
  };
}

const mapValues = (slices: Record<string, Tally>) => Object.fromEntries(Object.entries(slices).map(([k, t]) => [k, kpisOf(t)]));

/** The summary of one region's window, or of several regions' (merged first). */
export function summarize(aggs: Aggregate | readonly Aggregate[], window: Window): KpiSummary {
  const agg = Array.isArray(aggs) ? mergeAggregates(aggs) : (aggs as Aggregate);
  return {
    region: agg.region,
    window,
    from: agg.from,
    to: agg.to,
    overall: kpisOf(overall(agg)),
    byLanguage: mapValues(sliceBy(agg, "language")),
    byKbVersion: mapValues(sliceBy(agg, "kbVersion")),
    byMode: mapValues(sliceBy(agg, "mode")),
    byVersion: mapValues(sliceBy(agg, "version")),
    gauges: { replicaLagSeconds: agg.gauges.replica_lag_seconds ?? null, queueDepth: agg.gauges.handoff_queue_depth ?? null, queueWaitSeconds: agg.gauges.handoff_oldest_wait_seconds ?? null },
  };
}

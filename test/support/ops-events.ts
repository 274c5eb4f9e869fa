// Builders of ops events (and of an alert) for unit tests: sensible defaults (weur, English,
// normal mode, KB version 7), overridden per test.
import type { AgentReplyEvent, ConversationEndEvent, DegradedChangeEvent, EventOrigin, EventSlice, FeedbackEvent, HandoffEvent, HashedId, RatingEvent, TranscriptReadEvent, TurnEvent } from "../../src/ops/events.ts";
import { asHashedId } from "../../src/ops/events.ts";
import type { Alert } from "../../src/ops/alerts.ts";

/** A hashed id made from a small number, as a caller's salted hash would look. */
export function hashed(n: number): HashedId {
  return asHashedId(n.toString(16).padStart(16, "0"))!;
}

const base = (at: number): EventOrigin & EventSlice => ({ at, region: "weur", colo: "AMS", jurisdiction: "eu", conversation: hashed(1), language: "en", mode: "normal", kbVersion: 7 });

export function turn(at: number, over: Partial<TurnEvent> = {}): TurnEvent {
  return { ...base(at), type: "turn", decision: "answer", degradedReason: null, articleId: "en:refunds", confidence: "0.90-1.00", latencyMs: 120, replicaLagSeconds: 2, ...over };
}

export function degradedTurn(at: number, over: Partial<TurnEvent> = {}): TurnEvent {
  return turn(at, { mode: "degraded", degradedReason: "llm_unavailable", latencyMs: 40, ...over });
}

export function handoff(at: number, over: Partial<HandoffEvent> = {}): HandoffEvent {
  return { ...base(at), type: "handoff", reason: "customer_request", ...over };
}

export function agentReply(at: number, firstResponseMs: number | null, over: Partial<AgentReplyEvent> = {}): AgentReplyEvent {
  return { ...base(at), type: "agent_reply", firstResponseMs, ...over };
}

export function rating(at: number, score: RatingEvent["score"], over: Partial<RatingEvent> = {}): RatingEvent {
  return { ...base(at), type: "rating", score, replaces: null, ...over };
}

export function feedback(at: number, helpful: boolean, over: Partial<FeedbackEvent> = {}): FeedbackEvent {
  return { ...base(at), type: "feedback", helpful, articleId: "en:refunds", ...over };
}

export function degradedChange(at: number, degraded: boolean, over: Partial<DegradedChangeEvent> = {}): DegradedChangeEvent {
  const { conversation: _c, language: _l, mode: _m, kbVersion: _k, ...origin } = base(at);
  return { ...origin, type: "degraded_change", degraded, reason: degraded ? "llm_unavailable" : null, ...over };
}

export function ended(at: number, over: Partial<ConversationEndEvent> = {}): ConversationEndEvent {
  return {
    ...base(at),
    type: "conversation_end",
    startedAt: at - 60_000,
    customer: null,
    turns: 2,
    botAnswered: true,
    handedOff: false,
    agentReplied: false,
    confirmedHelpful: false,
    askedForMoreWithinWindow: false,
    ...over,
  };
}

export function transcriptRead(at: number, operator: string, conversations: number[], over: Partial<TranscriptReadEvent> = {}): TranscriptReadEvent {
  const { conversation: _c, language: _l, mode: _m, kbVersion: _k, ...origin } = base(at);
  return { ...origin, type: "transcript_read", operator, conversations: conversations.map(hashed), ...over };
}

/** An open critical degraded-share alert in weur, fired at `at`, with nothing gathered or done yet. */
export function degradedShareAlert(at: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `degraded_share:weur:${at}`,
    ruleId: "degraded_share",
    region: "weur",
    kind: "threshold",
    metric: "degraded_share",
    subject: null,
    level: "critical",
    value: 0.6,
    threshold: 0.5,
    firedAt: at,
    updatedAt: at,
    clearSince: null,
    resolvedAt: null,
    runbook: "docs/runbooks/degraded-share.md",
    likelyCause: null,
    remediation: [],
    ...over,
  };
}

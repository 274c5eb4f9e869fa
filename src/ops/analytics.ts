// The Workers Analytics Engine data point of an ops event. One fixed column layout for every
// event type (a column means the same thing in every row; unused ones are "" or -1), so the
// SQL API can be queried without knowing which event wrote a row.
import type { OpsEvent } from "./events.ts";
import { latencyBucket, resolutionOf } from "./events.ts";
import { isVersionId } from "./version.ts";

/** The shape `AnalyticsEngineDataset.writeDataPoint` takes. */
export interface AnalyticsPoint {
  indexes: [string];
  blobs: string[];
  doubles: number[];
}

/**
 * Blob columns in order: `ANALYTICS_BLOBS[i]` is SQL column `blob${i + 1}`. The index
 * (`index1`, the sampling key) is the region.
 */
export const ANALYTICS_BLOBS = [
  "type", // blob1: turn | handoff | agent_reply | rating | feedback | degraded_change | conversation_end | transcript_read
  "region", // blob2
  "colo", // blob3
  "jurisdiction", // blob4: eu or ""
  "conversation", // blob5: hashed conversation id ("" for degraded_change)
  "mode", // blob6: normal | degraded
  "language", // blob7
  "degraded_reason", // blob8: turn's reason, or degraded_change's
  "decision", // blob9: turn decision
  "article_id", // blob10: turn or feedback article
  "confidence_bucket", // blob11
  "latency_bucket", // blob12: `le` bound in seconds, as in /metrics
  "handoff_reason", // blob13
  "resolution", // blob14: conversation_end: ai_confirmed | ai_assumed | agent | unresolved
  "helpful", // blob15: feedback: yes | no
  "degraded_state", // blob16: degraded_change: on | off
  "operator", // blob17: transcript_read: the operator's id
  "version", // blob18: the Worker version id that emitted the event ("" when unknown)
] as const;

/** Double columns in order: `ANALYTICS_DOUBLES[i]` is SQL column `double${i + 1}`; -1 means none. */
export const ANALYTICS_DOUBLES = [
  "latency_ms", // double1: turn
  "kb_version", // double2
  "replica_lag_seconds", // double3: turn
  "agent_first_response_ms", // double4: agent_reply (first after a handoff)
  "rating", // double5: rating 1–5
  "turns", // double6: conversation_end
  "bot_answered", // double7: conversation_end, 0 or 1
  "handed_off", // double8
  "agent_replied", // double9
  "confirmed_helpful", // double10
  "asked_for_more", // double11
  "replaced_rating", // double12: rating: the conversation's earlier score it replaces (-1: its first)
  "conversations_read", // double13: transcript_read: how many conversations it names
] as const;

export type AnalyticsBlob = (typeof ANALYTICS_BLOBS)[number];
export type AnalyticsDouble = (typeof ANALYTICS_DOUBLES)[number];

const flag = (b: boolean) => (b ? 1 : 0);

/** The data point for an event: blobs and doubles in the documented column order. */
export function toAnalyticsPoint(event: OpsEvent): AnalyticsPoint {
  const blob: Record<AnalyticsBlob, string> = {
    type: event.type,
    region: event.region,
    colo: event.colo,
    jurisdiction: event.jurisdiction ?? "",
    conversation: "",
    mode: "",
    language: "",
    degraded_reason: "",
    decision: "",
    article_id: "",
    confidence_bucket: "",
    latency_bucket: "",
    handoff_reason: "",
    resolution: "",
    helpful: "",
    degraded_state: "",
    operator: "",
    version: isVersionId(event.version) ? event.version : "",
  };
  const double: Record<AnalyticsDouble, number> = {
    latency_ms: -1,
    kb_version: -1,
    replica_lag_seconds: -1,
    agent_first_response_ms: -1,
    rating: -1,
    turns: -1,
    bot_answered: -1,
    handed_off: -1,
    agent_replied: -1,
    confirmed_helpful: -1,
    asked_for_more: -1,
    replaced_rating: -1,
    conversations_read: -1,
  };
  if (event.type === "degraded_change") {
    blob.degraded_reason = event.reason ?? "";
    blob.degraded_state = event.degraded ? "on" : "off";
  } else if (event.type === "transcript_read") {
    blob.operator = event.operator;
    double.conversations_read = event.conversations.length;
  } else {
    blob.conversation = event.conversation;
    blob.mode = event.mode;
    blob.language = event.language;
    double.kb_version = event.kbVersion ?? -1;
  }
  switch (event.type) {
    case "turn":
      blob.degraded_reason = event.degradedReason ?? "";
      blob.decision = event.decision;
      blob.article_id = event.articleId ?? "";
      blob.confidence_bucket = event.confidence;
      blob.latency_bucket = latencyBucket(event.latencyMs);
      double.latency_ms = event.latencyMs;
      double.replica_lag_seconds = event.replicaLagSeconds ?? -1;
      break;
    case "handoff":
      blob.handoff_reason = event.reason;
      break;
    case "agent_reply":
      double.agent_first_response_ms = event.firstResponseMs ?? -1;
      break;
    case "rating":
      double.rating = event.score;
      double.replaced_rating = event.replaces?.score ?? -1;
      break;
    case "feedback":
      blob.helpful = event.helpful ? "yes" : "no";
      blob.article_id = event.articleId ?? "";
      break;
    case "conversation_end":
      blob.resolution = resolutionOf(event);
      double.turns = event.turns;
      double.bot_answered = flag(event.botAnswered);
      double.handed_off = flag(event.handedOff);
      double.agent_replied = flag(event.agentReplied);
      double.confirmed_helpful = flag(event.confirmedHelpful);
      double.asked_for_more = flag(event.askedForMoreWithinWindow);
      break;
  }
  return { indexes: [event.region], blobs: ANALYTICS_BLOBS.map((k) => blob[k]), doubles: ANALYTICS_DOUBLES.map((k) => double[k]) };
}

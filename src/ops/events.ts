// What ops learns from a conversation: one event per turn, handoff, agent reply, rating,
// feedback, change of degraded state and conversation end; and from operators, each read
// of transcripts. Events carry no personal data: no customer text, and customer and
// conversation ids only as hashes made by the caller (see HashedId).
import type { DegradedReason } from "../answer/degraded.ts";
import type { Region } from "../edge/regions.ts";
import { EVENT_ID } from "./recent-ids.ts";

/**
 * An id the caller has already hashed (salted SHA-256, lower-case hex, 16–64 digits). The
 * brand keeps a raw conversation or customer id from being put in an event by mistake.
 */
export type HashedId = string & { readonly __hashed: true };

const HASHED = /^[0-9a-f]{16,64}$/;

/** The value as a HashedId if it looks like one (hex), else null. */
export function asHashedId(value: string): HashedId | null {
  return HASHED.test(value) ? (value as HashedId) : null;
}

export type Mode = "normal" | "degraded";
export const MODES: readonly Mode[] = ["normal", "degraded"];

/** The policy's decision for a turn, or `error` when the turn failed without a reply. */
export type TurnDecision = "answer" | "clarify" | "offer_handoff" | "out_of_scope" | "smalltalk" | "error";
export const TURN_DECISIONS: readonly TurnDecision[] = ["answer", "clarify", "offer_handoff", "out_of_scope", "smalltalk", "error"];

export const DEGRADED_REASONS: readonly DegradedReason[] = ["rate_limited", "llm_unavailable", "llm_budget", "replica_unavailable", "primary_unreachable", "deadline"];

/** Why a person was brought in. */
export type HandoffReason = "customer_request" | "negative_sentiment" | "repeated_failures" | "no_answer" | "out_of_scope" | "other";
export const HANDOFF_REASONS: readonly HandoffReason[] = ["customer_request", "negative_sentiment", "repeated_failures", "no_answer", "out_of_scope", "other"];

/** The ops name of a reply's handoff reason (`ReplyMeta.handoff.reason`). */
/** The ops reason for a desk's handoff reason (any string the desk knows); "other" when it is none of ours. */
export function opsHandoffReason(reason: string): HandoffReason {
  return (HANDOFF_REASONS as readonly string[]).includes(reason) ? (reason as HandoffReason) : "other";
}

export function handoffReasonOf(reason: "requested" | "negative_sentiment" | "repeated_failures"): HandoffReason {
  return reason === "requested" ? "customer_request" : reason;
}

/** Confidence ranges, cut at the policy's thresholds (clarify at 0.6, answer at 0.75). */
export type ConfidenceBucket = "none" | "0.00-0.20" | "0.20-0.40" | "0.40-0.60" | "0.60-0.75" | "0.75-0.90" | "0.90-1.00";
const CONFIDENCE_CUTS: Array<[number, ConfidenceBucket]> = [
  [0.9, "0.90-1.00"],
  [0.75, "0.75-0.90"],
  [0.6, "0.60-0.75"],
  [0.4, "0.40-0.60"],
  [0.2, "0.20-0.40"],
];

/** The range a confidence falls in (lower bound inclusive); `none` when there was none. */
export function confidenceBucket(c: number | null | undefined): ConfidenceBucket {
  if (c === null || c === undefined || !Number.isFinite(c)) return "none";
  for (const [cut, bucket] of CONFIDENCE_CUTS) if (c >= cut) return bucket;
  return "0.00-0.20";
}

/** Turn latency histogram bounds in seconds (Prometheus' default buckets). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Agent first-response histogram bounds in seconds: 5 s to 2 h. */
export const AGENT_RESPONSE_BUCKETS_SECONDS: readonly number[] = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/** The `le` bound (as Prometheus writes it) a latency in ms falls under, `+Inf` past the last. */
export function latencyBucket(ms: number): string {
  const seconds = ms / 1000;
  const bound = LATENCY_BUCKETS_SECONDS.find((le) => seconds <= le);
  return bound === undefined ? "+Inf" : String(bound);
}

/** Where and when an event happened. */
export interface EventOrigin {
  /**
   * Random, set where the event is emitted: the RegionOpsDO counts an id once, so a batch
   * sent again is not counted twice. Absent on events the RegionOpsDO derives itself.
   */
  id?: string;
  /** Epoch ms. */
  at: number;
  region: Region;
  /** Cloudflare colo (IATA code, e.g. `AMS`) of the request. */
  colo: string;
  jurisdiction: "eu" | null;
  /**
   * The Worker version (id) that emitted the event, set where it is emitted; absent on events
   * of releases before it was recorded (counted as `unknown`).
   */
  version?: string;
}

/** The conversation an event belongs to, and the dimensions KPIs are sliced by. */
export interface EventSlice {
  conversation: HashedId;
  /** ISO 639-1 language of the conversation (`en`, `zh`). */
  language: string;
  /** A turn's reply mode; for the other events, `degraded` if any reply so far was degraded. */
  mode: Mode;
  /** KB version that answered the turn, or that answered the conversation's last answered turn. */
  kbVersion: number | null;
}

/** A customer message and the reply to it. */
export interface TurnEvent extends EventOrigin, EventSlice {
  type: "turn";
  decision: TurnDecision;
  degradedReason: DegradedReason | null;
  /** The article the reply is based on (`locale:slug`), if any. */
  articleId: string | null;
  confidence: ConfidenceBucket;
  /** From receiving the message to the reply being ready. */
  latencyMs: number;
  /** How far the answering replica was behind the primary. */
  replicaLagSeconds: number | null;
}

/** A person was asked for or offered and accepted: the conversation joins the agents' queue. */
export interface HandoffEvent extends EventOrigin, EventSlice {
  type: "handoff";
  reason: HandoffReason;
}

/** An agent replied in a conversation. */
export interface AgentReplyEvent extends EventOrigin, EventSlice {
  type: "agent_reply";
  /** Set on the first agent reply after a handoff: ms from the handoff to this reply. */
  firstResponseMs: number | null;
}

/** The customer rated the conversation (CSAT, 1–5); a conversation's later rating replaces its earlier one. */
export interface RatingEvent extends EventOrigin, EventSlice {
  type: "rating";
  score: 1 | 2 | 3 | 4 | 5;
  /** The conversation's earlier rating this one replaces, as its event went out; null for its first. */
  replaces: ReplacedRating | null;
}

/** A rating as its event went out: enough to take it back out of the tallies it went into. */
export interface ReplacedRating extends Pick<EventSlice, "mode" | "language" | "kbVersion">, Pick<EventOrigin, "version"> {
  score: 1 | 2 | 3 | 4 | 5;
  /** Epoch ms of its event. */
  at: number;
}

/** The customer marked a reply helpful or not. */
export interface FeedbackEvent extends EventOrigin, EventSlice {
  type: "feedback";
  helpful: boolean;
  articleId: string | null;
}

/** The region entered or left degraded mode. */
export interface DegradedChangeEvent extends EventOrigin {
  type: "degraded_change";
  degraded: boolean;
  /** Why it is degraded (null when it recovered). */
  reason: DegradedReason | null;
}

/**
 * A conversation's outcome, emitted once when it closes, or when RESOLUTION_WINDOW has passed
 * since the bot's last answer with no further customer message (whichever comes first). The
 * conversation computes the flags; `resolutionOf` (kpi.ts) turns them into a resolution.
 */
export interface ConversationEndEvent extends EventOrigin, EventSlice {
  type: "conversation_end";
  /** Epoch ms of the conversation's first message (for recontact detection). */
  startedAt: number;
  /** The hashed customer id, when the customer is known; recontacts are detected with it. */
  customer: HashedId | null;
  /** Customer messages the bot handled. A conversation with none is not counted. */
  turns: number;
  /** At least one reply had decision `answer`. */
  botAnswered: boolean;
  /** A handoff happened. */
  handedOff: boolean;
  /** An agent replied after the handoff. */
  agentReplied: boolean;
  /** The customer confirmed an answer helped (feedback helpful, or said so), and asked no more after. */
  confirmedHelpful: boolean;
  /** After the bot's last answer, the customer asked for more help within RESOLUTION_WINDOW. */
  askedForMoreWithinWindow: boolean;
}

/**
 * An operator read transcripts: an agent opening a conversation, an admin exporting a
 * customer's data. Counted per operator for the unusual-reads alert (src/ops/operator-reads.ts).
 */
export interface TranscriptReadEvent extends EventOrigin {
  type: "transcript_read";
  /** The operator's id (`op_…`, or `break-glass`): staff, not customer data. */
  operator: string;
  /** The conversations read, hashed; 1 to MAX_READ_CONVERSATIONS. */
  conversations: HashedId[];
}

/** Conversations one transcript_read event names at most (an export sends several events). */
export const MAX_READ_CONVERSATIONS = 100;

const OPERATOR_ID = /^[A-Za-z0-9_:.-]{1,64}$/;

export type OpsEvent = TurnEvent | HandoffEvent | AgentReplyEvent | RatingEvent | FeedbackEvent | DegradedChangeEvent | ConversationEndEvent | TranscriptReadEvent;

export type OpsEventType = OpsEvent["type"];

/** What became of a conversation, for AI resolution and first-contact resolution. */
export type Resolution = "ai_confirmed" | "ai_assumed" | "agent" | "unresolved";
export const RESOLUTIONS: readonly Resolution[] = ["ai_confirmed", "ai_assumed", "agent", "unresolved"];

/**
 * The resolution of an ended conversation, as the market leader defines AI resolution:
 * - `ai_confirmed`: the bot answered, no handoff, and the customer confirmed it helped;
 * - `ai_assumed`: the bot answered, no handoff, no confirmation, and the customer did not ask
 *   for more help within RESOLUTION_WINDOW of the last answer (they left);
 * - `agent`: handed off and an agent replied (the person is assumed to have resolved it);
 * - `unresolved`: everything else (no answer, asked for more, handed off with no agent reply).
 */
export function resolutionOf(e: Pick<ConversationEndEvent, "botAnswered" | "handedOff" | "agentReplied" | "confirmedHelpful" | "askedForMoreWithinWindow">): Resolution {
  if (e.botAnswered && !e.handedOff && e.confirmedHelpful) return "ai_confirmed";
  if (e.botAnswered && !e.handedOff && !e.askedForMoreWithinWindow) return "ai_assumed";
  if (e.handedOff && e.agentReplied) return "agent";
  return "unresolved";
}

const oneOf = <T>(list: readonly T[], v: unknown): v is T => list.includes(v as T);
const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/**
 * Whether an event's enumerated fields hold known values and its numbers are finite, so a
 * malformed event (e.g. across an untyped boundary) cannot add unbounded counter names.
 */
export function isValidEvent(e: OpsEvent): boolean {
  if (!finite(e.at) || typeof e.region !== "string" || (e.id !== undefined && (typeof e.id !== "string" || !EVENT_ID.test(e.id)))) return false;
  // Any string is accepted as a version; one that is not a version id is counted as `unknown`.
  if (e.version !== undefined && typeof e.version !== "string") return false;
  if (e.type === "degraded_change") return e.reason === null || oneOf(DEGRADED_REASONS, e.reason);
  if (e.type === "transcript_read")
    return typeof e.operator === "string" && OPERATOR_ID.test(e.operator) && Array.isArray(e.conversations) && e.conversations.length >= 1 && e.conversations.length <= MAX_READ_CONVERSATIONS && e.conversations.every((c) => typeof c === "string" && HASHED.test(c));
  if (!oneOf(MODES, e.mode) || typeof e.conversation !== "string" || typeof e.language !== "string") return false;
  switch (e.type) {
    case "turn":
      return oneOf(TURN_DECISIONS, e.decision) && (e.degradedReason === null || oneOf(DEGRADED_REASONS, e.degradedReason)) && finite(e.latencyMs);
    case "handoff":
      return oneOf(HANDOFF_REASONS, e.reason);
    case "agent_reply":
      return e.firstResponseMs === null || finite(e.firstResponseMs);
    case "rating":
      // Events from before ratings named what they replace have no `replaces`: a first rating.
      return oneOf([1, 2, 3, 4, 5], e.score) && (e.replaces == null || (oneOf([1, 2, 3, 4, 5], e.replaces.score) && finite(e.replaces.at) && oneOf(MODES, e.replaces.mode) && typeof e.replaces.language === "string"));
    case "feedback":
      return typeof e.helpful === "boolean";
    case "conversation_end":
      return finite(e.turns) && finite(e.startedAt);
    default:
      return false;
  }
}

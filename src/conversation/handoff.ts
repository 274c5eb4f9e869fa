// A conversation's side of the human handoff: what it remembers of its desk's decisions
// (queued, with an agent, offline, ended), whether the bot must stay silent, why a person was
// asked for, and the rules for leaving a message, rating and feedback. Pure: the
// ConversationDO stores the record and carries out what these functions decide.
import type { HandoffReason, Resolution } from "../desk/model.ts";
import type { HandoffFrame } from "../desk/protocol.ts";
import { answeredByMail, queueReason } from "../email/answering.ts";
import type { ErrorCode } from "../errors.ts";
import type { Channel, Message } from "./types.ts";

export type HandoffStatus = "none" | "queued" | "assigned" | "offline" | "ended";

/** What the conversation keeps about its handoff (plain JSON, one row). */
export interface HandoffRecord {
  /** The desk that takes the conversation: from its creation, or a transfer. */
  team: string;
  status: HandoffStatus;
  /** The desk revision the record reflects: an older update from the same desk is stale. */
  revision: number;
  /** What the customer was last told. */
  frame: HandoffFrame | null;
  /** When a person was last asked for, and why. */
  requestedAt: number | null;
  reason: HandoffReason | null;
  /** The bot's standing offer of a person (accepting it keeps its reason). */
  offer: HandoffReason | null;
  /** When an agent first replied after the latest request (ops: time to first response). */
  agentRepliedAt: number | null;
  /** How the agent closed the conversation, if they did. */
  resolution: Resolution | null;
  /**
   * The message the customer left for the team (an offline ticket): the address to reply to,
   * the seq of the message and a subject cut from it. Kept here, in the conversation's own
   * object and jurisdiction; the desk's ticket only names the conversation.
   */
  ticket: { email: string; seq: number; subject: string; at: number } | null;
}

/** A desk's word on a conversation: the frame its customer should see, at a desk revision. */
export interface DeskUpdate {
  team: string;
  revision: number;
  frame: HandoffFrame;
}

export function initialHandoff(team: string): HandoffRecord {
  return { team, status: "none", revision: 0, frame: null, requestedAt: null, reason: null, offer: null, agentRepliedAt: null, resolution: null, ticket: null };
}

/**
 * Applies a desk's update. An update from the conversation's desk older than the last one
 * applied is ignored (effects may arrive out of order); one from another desk means the
 * conversation was transferred there. `changed` says the customer must be told.
 */
export function applyDeskUpdate(record: HandoffRecord, update: DeskUpdate): { record: HandoffRecord; changed: boolean } {
  if (update.team === record.team && update.revision < record.revision) return { record, changed: false };
  const next: HandoffRecord = { ...record, team: update.team, revision: update.revision, status: update.frame.state, frame: update.frame };
  return { record: next, changed: JSON.stringify(update.frame) !== JSON.stringify(record.frame) };
}

/** While an agent has the conversation the bot says nothing. */
export function botSilent(record: HandoffRecord): boolean {
  return record.status === "assigned";
}

/** Whether the desk may hold the conversation (so the desk is told of customer messages). */
export function withDesk(record: HandoffRecord): boolean {
  return record.status === "queued" || record.status === "assigned" || (record.status === "offline" && record.frame?.position !== undefined);
}

/** The desk's name for the bot's handoff reasons (`ReplyMeta.handoff.reason`). */
const FROM_BOT: Record<"requested" | "negative_sentiment" | "repeated_failures", HandoffReason> = {
  requested: "customer_request",
  negative_sentiment: "negative_sentiment",
  repeated_failures: "repeated_failures",
};

/**
 * What a stored bot reply means for the handoff: the customer asked for a person in words
 * (`request`), or the bot offered one (remembered as `offer`, for when it is accepted). A
 * mail the bot did not answer itself goes to the team (`request`, with the reason), unless
 * the desk has the conversation already.
 */
export function afterReply(record: HandoffRecord, reply: Message, byMail = false): { record: HandoffRecord; request: HandoffReason | null } {
  if (byMail && !answeredByMail(reply.meta)) return withDesk(record) ? { record, request: null } : { record: { ...record, offer: null }, request: queueReason(reply.meta) };
  const offered = reply.meta?.decision === "offer_handoff" ? reply.meta.handoff?.reason : undefined;
  if (!offered) return { record, request: null };
  if (offered === "requested") return { record: { ...record, offer: null }, request: FROM_BOT.requested };
  return { record: { ...record, offer: FROM_BOT[offered] }, request: null };
}

/**
 * Whether an agent's message goes to the customer by mail: always in an email conversation,
 * and in a chat when it answers the message the customer left for the team (not while the
 * customer is back in the chat with an agent).
 */
export function agentReplyByMail(channel: Channel, record: HandoffRecord): boolean {
  return channel === "email" || (record.ticket !== null && record.status !== "assigned");
}

/** Whether the bot's reply to a mail goes out by mail: an answer always, the note that the team will reply only the first time. */
export function botReplyByMail(reply: Message, record: HandoffRecord): boolean {
  return answeredByMail(reply.meta) || !withDesk(record);
}

/** Why a person is asked for: as given, else the bot's standing offer, else the customer's own wish. */
export function requestReason(record: HandoffRecord, given: HandoffReason | undefined): HandoffReason {
  return given ?? record.offer ?? "customer_request";
}

/** The record once a request for a person has gone to the desk. */
export function requested(record: HandoffRecord, reason: HandoffReason, at: number): HandoffRecord {
  const fresh = record.status === "none" || record.status === "ended" || record.status === "offline";
  return fresh ? { ...record, requestedAt: at, reason, offer: null, agentRepliedAt: null, resolution: null } : record;
}

/** Whether the customer may leave a message for the team now, or why not. */
export function leaveMessageRefusal(record: HandoffRecord): ErrorCode | null {
  if (record.status === "assigned") return "conversation_assigned";
  if (record.status === "none" || record.status === "ended") return "handoff_not_requested";
  return null;
}

/** Feedback is for the bot's answers only. */
export function feedbackRefusal(message: Message | null): ErrorCode | null {
  if (!message) return "message_not_found";
  return message.role === "assistant" ? null : "feedback_not_allowed";
}

/** The frame a customer sees once their message for the team is filed. */
export const TICKET_FILED: HandoffFrame = { type: "handoff", state: "ended" };

/**
 * An agent's message as the desk forwards it: who, the idempotency key, the text (or a canned
 * template the conversation renders with its own variables), and why the desk refuses it if
 * it does (a retry of a message already stored is still acknowledged).
 */
export interface AgentPost {
  agent: { id: string; name: string };
  clientMessageId: string;
  text?: string;
  template?: string;
  /** The reply inserts this suggested article's answer (learning from confirmations). */
  articleId?: string;
  refused: ErrorCode | null;
}

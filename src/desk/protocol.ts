// The agent WebSocket protocol in one place: subprotocol names, the frames a console may
// send (zod, shared with tests) and parses into a decision without throwing, the frames the
// desk sends back, and the `handoff` frame a customer sees while a person is involved.
import { z } from "@hono/zod-openapi";
import { CONVERSATION_ID } from "../conversation/address.ts";
import { MAX_FRAME_BYTES, readJsonFrame } from "../conversation/protocol.ts";
import { ArticleIdSchema, ClientMessageIdSchema, TextSchema } from "../conversation/schemas.ts";
import type { Message } from "../conversation/types.ts";
import { ERRORS, type ErrorCode } from "../errors.ts";
import { MAX_CAPACITY, PRESENCES, RESOLUTIONS } from "./model.ts";
import type { HandoffReason, OfflineReason, OfflineTicket, Presence, SlaCounters, UnassignReason } from "./model.ts";
import type { CannedResponse } from "./canned-library.ts";
import type { AgentView, QueueItem } from "./queue.ts";

/** The subprotocol the desk echoes to an agent console. */
export const AGENT_SUBPROTOCOL = "holdfast.agent.v1";
/** Consoles offer their token beside it as `holdfast.auth.<token>`, as customer pages do; never echoed. */
export { AUTH_PROTOCOL_PREFIX } from "../conversation/protocol.ts";
/** Largest agent frame accepted; a bigger one closes the socket with 1009. */
export const MAX_AGENT_FRAME_BYTES = MAX_FRAME_BYTES;

/** Agent, team, ticket and canned-response ids: short, URL- and log-safe. */
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const IdSchema = z.string().regex(ID, "ids are 1-64 characters of A-Z a-z 0-9 _ . : -");
/** Agent, team and ticket ids in REST inputs. */
export const DeskIdSchema = IdSchema;
const ConversationIdSchema = z.string().regex(CONVERSATION_ID, "conversationId is not a conversation id");

/** Frames an agent console may send. */
export const AgentClientFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("presence"), status: z.enum(PRESENCES), capacity: z.number().int().min(1).max(MAX_CAPACITY).optional() }),
  /** `articleId`: the text inserts that suggested article's answer (learning from confirmations). */
  z.strictObject({ type: z.literal("message"), conversationId: ConversationIdSchema, text: TextSchema, clientMessageId: ClientMessageIdSchema, articleId: ArticleIdSchema.optional() }),
  /** A canned response, rendered by the desk with the conversation's variables and sent as a message. */
  z.strictObject({ type: z.literal("canned"), conversationId: ConversationIdSchema, cannedId: IdSchema, clientMessageId: ClientMessageIdSchema }),
  /** An internal note for other agents; never shown to the customer. */
  z.strictObject({ type: z.literal("note"), conversationId: ConversationIdSchema, text: TextSchema, clientMessageId: ClientMessageIdSchema }),
  z.strictObject({ type: z.literal("typing"), conversationId: ConversationIdSchema }),
  z.strictObject({ type: z.literal("claim"), conversationId: ConversationIdSchema }),
  z.strictObject({
    type: z.literal("transfer"),
    conversationId: ConversationIdSchema,
    to: z.union([z.strictObject({ agentId: IdSchema }), z.strictObject({ team: IdSchema })]),
  }),
  /** Hand the conversation back to the bot. */
  z.strictObject({ type: z.literal("release"), conversationId: ConversationIdSchema }),
  /** `articleId`: the article that answered the customer (learning from confirmations). */
  z.strictObject({ type: z.literal("close"), conversationId: ConversationIdSchema, resolution: z.enum(RESOLUTIONS), articleId: ArticleIdSchema.optional() }),
  z.strictObject({ type: z.literal("close_ticket"), ticketId: IdSchema }),
]);

export type AgentClientFrame = z.infer<typeof AgentClientFrameSchema>;

export type AgentFrameDecision = { kind: "frame"; frame: AgentClientFrame } | { kind: "too_large" } | { kind: "reject"; code: ErrorCode };

/** Decides what to do with one incoming agent frame; never throws. */
export function parseAgentFrame(data: string | ArrayBuffer): AgentFrameDecision {
  return readJsonFrame(data, MAX_AGENT_FRAME_BYTES, AgentClientFrameSchema);
}

/** What a console is sent when an agent takes a conversation: read from the conversation, never stored by the desk. */
export interface ConversationSnapshot {
  conversationId: string;
  locale: string;
  region: string;
  reason: HandoffReason;
  customer?: { name?: string };
  /** The latest messages, oldest first. */
  messages: Message[];
  hasMore: boolean;
}

/** Frames the desk sends to an agent console. */
export type AgentServerFrame =
  /** The agent's own presence, echoed after every change (also when the desk sets them away). */
  | { type: "presence"; status: Presence; capacity: number }
  | { type: "queue"; items: QueueItem[]; agents: AgentView[]; breaches: SlaCounters }
  | { type: "tickets"; tickets: OfflineTicket[] }
  | { type: "assigned"; conversationId: string }
  | { type: "unassigned"; conversationId: string; reason: UnassignReason }
  | { type: "conversation"; conversation: ConversationSnapshot }
  | { type: "message"; conversationId: string; message: Message }
  | { type: "note"; conversationId: string; id: number; afterSeq: number; text: string; agent: { name: string }; createdAt: string }
  /** The customer is typing. */
  | { type: "typing"; conversationId: string }
  /** The bot's suggested articles for the customer's latest message (which the bot did not answer). */
  | { type: "assist"; conversationId: string; seq: number; articles: AssistArticle[] }
  /** The saved replies the console can insert. */
  | { type: "canned"; items: readonly CannedResponse[] }
  /** A message (seq) or a note (`noteId`, placed after `seq`) was stored. */
  | { type: "ack"; clientMessageId: string; seq: number; duplicate?: boolean; noteId?: number }
  | { type: "error"; code: ErrorCode; message: string; clientMessageId?: string };

/** A KB article the bot would have offered, for the agent to read or quote. */
export interface AssistArticle {
  articleId: string;
  title: string;
  answer?: string;
}

/** The error frame for a code, with the catalogue message and optionally the frame it answers. */
export function agentErrorFrame(code: ErrorCode, clientMessageId?: string): AgentServerFrame {
  return clientMessageId ? { type: "error", code, message: ERRORS[code][1], clientMessageId } : { type: "error", code, message: ERRORS[code][1] };
}

/**
 * The frame a customer sees while a person is involved: waiting (`queued`, with position and
 * estimate when known), with an agent (`assigned`, first name as the agent gave it), back with
 * the bot (`ended`), or no one can take it now (`offline`: an offer to leave a message, with
 * why; with a `position` when the customer still keeps their place in the queue).
 */
export interface HandoffFrame {
  type: "handoff";
  state: "queued" | "assigned" | "ended" | "offline";
  position?: number;
  etaSeconds?: number;
  agent?: { name: string };
  reason?: OfflineReason;
}

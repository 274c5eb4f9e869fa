// The conversation wire protocol's one home: WebSocket subprotocols and heartbeat, the
// frames a client may send (parsed into decisions that never throw) and the frames the
// server sends, and the events of a streamed HTTP turn (encoded as SSE by the Worker).
import type { HandoffReason } from "../desk/model.ts";
import type { HandoffFrame } from "../desk/protocol.ts";
import type { z } from "@hono/zod-openapi";
import { ERRORS, type ErrorCode } from "../errors.ts";
import { validationError } from "../validation.ts";
import { ClientFrameSchema } from "./schemas.ts";
import type { CloseReason, Message, SendInput } from "./types.ts";

export type { HandoffFrame } from "../desk/protocol.ts";

/** A customer's rating of the conversation. */
export interface RatingInput {
  score: number;
  comment?: string;
}

/** A message left for the team (an offline ticket): its text goes in the transcript. */
export interface OfflineMessageInput {
  email: string;
  text: string;
  clientMessageId: string;
}

/** The subprotocol the server speaks; echoed only when the client offered it (RFC 6455). */
export const SUBPROTOCOL = "holdfast.v1";
/** Browsers, which cannot set headers, offer their token as the subprotocol `holdfast.auth.<token>`. */
export const AUTH_PROTOCOL_PREFIX = "holdfast.auth.";
/** Set by the Worker on a socket upgrade: the client's per-IP limiter key (a digest, never the address). */
export const CLIENT_KEY_HEADER = "X-Holdfast-Client";
/** Heartbeat frames, answered by the runtime without waking the Durable Object. */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/** Largest frame accepted; a bigger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024;
/** A socket that sends this many invalid frames is closed with 1008 (policy violation). */
export const MAX_INVALID_FRAMES = 10;
/** A connect replays at most this many messages; the client pages the rest over HTTP. */
export const REPLAY_PAGE = 200;

/** Frames the server sends over a conversation's WebSocket. */
export type ServerFrame =
  | { type: "ack"; clientMessageId: string; seq: number; duplicate?: boolean }
  | { type: "message"; message: Message }
  /** The bot is working on a reply, or (with `agent`) the agent who has the conversation is typing. */
  | { type: "typing"; agent?: { name: string } }
  /** Where a request for a person stands; sent on every change and when a socket connects. */
  | HandoffFrame
  /** The rating was stored. */
  | { type: "rated"; score: number }
  | { type: "delta"; replyTo: number; text: string }
  /** The conversation closes as resolved (assumed) and its team asks for a rating (CSAT_ON_RESOLVE); `closed` follows. */
  | { type: "rating_request" }
  | { type: "closed"; reason: CloseReason }
  /** The connect replayed one page of history; messages after `after` are read over HTTP (GET …/messages?after=). */
  | { type: "more"; after: number }
  | { type: "error"; code: string; message: string; clientMessageId?: string; /** Seconds, when rate limited. */ retryAfter?: number };

/** The subprotocols offered in a `Sec-WebSocket-Protocol` header. */
export function offeredProtocols(header: string | null | undefined): string[] {
  return (header ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The subprotocol to answer with: ours if the client offered it, else none at all. */
export function chosenProtocol(header: string | null | undefined, ours: string = SUBPROTOCOL): string | null {
  return offeredProtocols(header).includes(ours) ? ours : null;
}

/** The token offered as a `holdfast.auth.<token>` subprotocol, if any. */
export function protocolToken(header: string | null | undefined): string | undefined {
  return offeredProtocols(header)
    .find((p) => p.startsWith(AUTH_PROTOCOL_PREFIX))
    ?.slice(AUTH_PROTOCOL_PREFIX.length);
}

/** The client frames other than `message`: each kind is limited per conversation like messages are. */
/** Customer frames (and HTTP requests: `feedback` has no frame) limited per conversation by RATE_LIMIT_CONVERSATION_FRAMES, each kind on its own. */
export type LimitedFrame = "handoff" | "rating" | "typing" | "offline_message" | "feedback";

export type FrameDecision =
  | { kind: "send"; input: SendInput }
  | { kind: "handoff"; reason?: HandoffReason }
  | { kind: "rating"; rating: RatingInput }
  | { kind: "typing" }
  | { kind: "offline_message"; input: OfflineMessageInput }
  | { kind: "too_large" }
  | { kind: "reject"; code: ErrorCode };

/**
 * Reads one JSON WebSocket frame against a schema (the customer's or an agent's): too large,
 * not text, not JSON or not the shape → a decision with a stable code; never throws.
 */
export function readJsonFrame<T>(data: string | ArrayBuffer, maxBytes: number, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: z.ZodError } }): { kind: "frame"; frame: T } | { kind: "too_large" } | { kind: "reject"; code: ErrorCode } {
  const size = typeof data === "string" ? new TextEncoder().encode(data).byteLength : data.byteLength;
  if (size > maxBytes) return { kind: "too_large" };
  if (typeof data !== "string") return { kind: "reject", code: "invalid_frame" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "reject", code: "invalid_json" };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { kind: "frame", frame: parsed.data } : { kind: "reject", code: validationError(parsed.error, "invalid_frame").code };
}

/** Decides what to do with one incoming WebSocket frame. */
export function parseClientFrame(data: string | ArrayBuffer): FrameDecision {
  const read = readJsonFrame(data, MAX_FRAME_BYTES, ClientFrameSchema);
  if (read.kind !== "frame") return read;
  const { frame } = read;
  switch (frame.type) {
    case "message":
      return { kind: "send", input: { text: frame.text, clientMessageId: frame.clientMessageId, ...(frame.choice && { choice: frame.choice }) } };
    case "handoff":
      return frame.reason ? { kind: "handoff", reason: frame.reason } : { kind: "handoff" };
    case "rating":
      return { kind: "rating", rating: frame.comment === undefined ? { score: frame.score } : { score: frame.score, comment: frame.comment } };
    case "typing":
      return { kind: "typing" };
    case "offline_message":
      return { kind: "offline_message", input: { email: frame.email, text: frame.text, clientMessageId: frame.clientMessageId } };
  }
}

/** The error frame for a code, optionally tied to the message it refers to and when to retry. */
export function errorFrame(code: ErrorCode, clientMessageId?: string, retryAfterMs?: number): ServerFrame & { type: "error" } {
  const frame: ServerFrame & { type: "error" } = { type: "error", code, message: ERRORS[code][1] };
  if (clientMessageId) frame.clientMessageId = clientMessageId;
  if (retryAfterMs !== undefined) frame.retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return frame;
}

/**
 * A streamed HTTP turn, as the Durable Object reports it to the Worker (one JSON object per
 * line), which sends each as an SSE event of the same name: the stored customer message,
 * the reply's text while it is generated, the stored reply; and `handoff` when the turn asked
 * for a person, or went to the agent who has the conversation (then no reply follows).
 */
export type TurnEvent =
  | { event: "message"; data: Message }
  | { event: "delta"; data: { text: string } }
  | { event: "done"; data: Message }
  | { event: "handoff"; data: HandoffFrame };

export const TURN_EVENTS = ["message", "delta", "done", "handoff"] as const satisfies ReadonlyArray<TurnEvent["event"]>;

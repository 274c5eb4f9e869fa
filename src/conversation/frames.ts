// Parses what a client sends over the WebSocket into a decision; never throws, so a bad
// frame is answered with an error frame and the socket stays open.
import { ERRORS, type ErrorCode } from "../errors.ts";
import { validationError } from "../validation.ts";
import { ClientFrameSchema } from "./schemas.ts";
import type { SendInput, ServerFrame } from "./types.ts";

/** Largest frame accepted; a bigger one closes the socket with 1009. */
export const MAX_FRAME_BYTES = 32 * 1024;

export type FrameDecision =
  | { kind: "send"; input: SendInput }
  | { kind: "too_large" }
  | { kind: "reject"; code: ErrorCode };

/** Decides what to do with one incoming WebSocket frame. */
export function parseClientFrame(data: string | ArrayBuffer): FrameDecision {
  const size = typeof data === "string" ? new TextEncoder().encode(data).byteLength : data.byteLength;
  if (size > MAX_FRAME_BYTES) return { kind: "too_large" };
  if (typeof data !== "string") return { kind: "reject", code: "invalid_frame" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: "reject", code: "invalid_json" };
  }
  const parsed = ClientFrameSchema.safeParse(json);
  if (!parsed.success) return { kind: "reject", code: validationError(parsed.error, "invalid_frame").code };
  const { text, clientMessageId } = parsed.data;
  return { kind: "send", input: { text, clientMessageId } };
}

/** The error frame for a code, optionally tied to the message it refers to and when to retry. */
export function errorFrame(code: ErrorCode, clientMessageId?: string, retryAfterMs?: number): ServerFrame {
  const frame: ServerFrame = { type: "error", code, message: ERRORS[code][1] };
  if (clientMessageId) frame.clientMessageId = clientMessageId;
  if (retryAfterMs !== undefined) frame.retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return frame;
}

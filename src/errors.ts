// The error catalogue: every failure a caller can see has a stable code, an HTTP status and
// a fixed message. Messages never contain customer text or request values.

export const ERRORS = {
  invalid_json: [400, "The request body is not valid JSON."],
  validation_failed: [400, "The request does not match the expected shape."],
  restore_point_out_of_range: [400, "The restore point must be within the last 30 days, not in the future, and not before the conversation began."],
  webhook_url_invalid: [400, "The webhook URL is not one deliveries may go to; see details."],
  unknown_field: [400, "The request contains a field this endpoint does not accept."],
  invalid_frame: [400, "The WebSocket frame does not match the expected shape."],
  unauthorized: [401, "A bearer token is required."],
  token_invalid: [401, "The token is malformed or its signature does not match."],
  token_expired: [401, "The token has expired."],
  operator_key_invalid: [401, "The operator key is unknown or has been revoked."],
  forbidden: [403, "The credentials do not grant access to this resource."],
  origin_not_allowed: [403, "This origin is not allowed."],
  customer_signature_invalid: [403, "The customer signature does not match the customer id."],
  not_found: [404, "No such resource."],
  release_not_found: [404, "No such release."],
  conversation_not_found: [404, "No such conversation."],
  article_not_found: [404, "No such article."],
  agent_not_found: [404, "No such agent is connected to this desk."],
  ticket_not_found: [404, "No such offline ticket."],
  operator_not_found: [404, "No such operator."],
  message_not_found: [404, "No such message in this conversation."],
  gap_not_found: [404, "No such gap in the report."],
  learned_question_not_found: [404, "No such learned question."],
  webhook_not_found: [404, "No such webhook."],
  method_not_allowed: [405, "This method is not allowed on this resource; see the Allow header."],
  conversation_closed: [409, "The conversation is closed."],
  client_message_id_conflict: [409, "This clientMessageId was already used for a different message."],
  article_exists: [409, "An article with this slug and locale already exists."],
  agent_unavailable: [409, "The agent is not online."],
  agent_at_capacity: [409, "The agent has no free capacity for another conversation."],
  conversation_not_waiting: [409, "The conversation is not waiting in the queue."],
  conversation_not_assigned: [409, "The conversation is not assigned to this agent."],
  conversation_assigned: [409, "The conversation is already with an agent."],
  transfer_invalid: [409, "A conversation cannot be transferred to the agent or team that has it."],
  feedback_not_allowed: [409, "Only the assistant's replies can be marked helpful or not."],
  handoff_not_requested: [409, "No person has been asked for in this conversation."],
  gap_has_draft: [409, "A draft article was already made from this gap."],
  too_many_webhooks: [409, "As many webhooks exist as a deployment keeps; delete one first."],
  canned_revision_conflict: [409, "The canned responses changed since the revision given; read them again."],
  conversation_erased: [410, "The conversation was erased; an erased conversation is never restored."],
  release_open: [409, "A release is already open; promote or roll it back first."],
  release_closed: [409, "This release is no longer open."],
  nothing_to_release: [409, "Nothing is waiting for a release."],
  payload_too_large: [413, "The request body is too large."],
  unsupported_media_type: [415, "The request body must be application/json."],
  upgrade_required: [426, "This endpoint only accepts WebSocket upgrades."],
  rate_limited: [429, "Too many requests; try again after the time in Retry-After."],
  too_many_sockets: [429, "This conversation has as many open connections as it may; close one first."],
  too_many_tickets: [429, "The team has as many open offline tickets as it keeps; try again later."],
  queue_full: [429, "The team's queue is as long as it may be; try again later."],
  internal_error: [500, "Something went wrong on our side."],
  server_misconfigured: [500, "The server is missing required configuration."],
  pitr_unavailable: [501, "This runtime keeps no point-in-time history of conversations."],
  primary_unavailable: [503, "The knowledge base primary cannot be reached; try again shortly."],
  audit_unavailable: [503, "The access could not be recorded, so it was not granted; try again shortly."],
  desk_unavailable: [503, "The agent desk cannot be reached; try again shortly."],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

/** The HTTP status that goes with an error code. */
export function statusOf(code: ErrorCode): number {
  return ERRORS[code][0];
}

/** The JSON body every error response carries. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

/** Where a validation error happened, never what the value was. */
export interface ErrorDetail {
  path: string;
  issue: string;
}

/**
 * An error the caller should see. `message` defaults to the catalogue text; `details` name
 * fields and rules only.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Response headers that go with the error (Retry-After, RateLimit). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, details?: ErrorDetail[], headers: Record<string, string> = {}) {
    super(ERRORS[code][1]);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return statusOf(this.code);
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details?.length) error.details = this.details;
    return { error };
  }
}

/** A result that crosses an RPC boundary, where thrown errors lose their code. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; retryAfterMs?: number };

/** Unwraps an outcome, turning a failure back into an AppError. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new AppError(outcome.code, undefined, outcome.retryAfterMs === undefined ? {} : { "Retry-After": String(Math.max(1, Math.ceil(outcome.retryAfterMs / 1000))) });
  return outcome.value;
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, retryAfterMs?: number): Outcome<T> {
  return retryAfterMs === undefined ? { ok: false, code } : { ok: false, code, retryAfterMs };
}

// The customer's side of the human desk: ask for a person, leave a message when none can
// take the conversation, rate the conversation, mark the bot's answers helpful or not. Each
// counts against the conversation's limit for its kind of frame (RATE_LIMIT_CONVERSATION_FRAMES),
// as the same frame on the WebSocket does (feedback has no frame: it is limited all the same).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { FeedbackSchema, HandoffRequestSchema, OfflineMessageSchema, RatingSchema } from "../../conversation/schemas.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { conversationAuth } from "../middleware/conversation-auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { clientLimitKey, unwrapLimited } from "../middleware/rate-limit.ts";
import { errorResponses, HandoffFrameSchema, MessageSchema } from "../schemas.ts";

const tags = ["Conversations"];
const bearer = [{ bearerAuth: [] }];
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "0".repeat(64) }) });
const json = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

const handoff = createRoute({
  method: "post",
  path: "/v1/conversations/{id}/handoff",
  tags,
  summary: "Ask for a person",
  description:
    "The conversation joins its team's queue. With no agent online the answer is `offline` (reason `no_agents`) with the customer's `position`: they keep their place for the first agent who comes online and may leave a message meanwhile; outside BUSINESS_HOURS it is `offline` (`closed_hours`) without a place: leave a message instead. The answer, and every later change, is also sent as a `handoff` frame on the WebSocket. Without a reason, accepting the bot's offer keeps the offer's reason, else `customer_request`. Asking again changes nothing. 429 `queue_full` when the team's queue already holds MAX_QUEUE_LENGTH waiting conversations.",
  security: bearer,
  middleware: [conversationAuth, jsonBody] as const,
  request: { params: IdParam, body: json(HandoffRequestSchema) },
  responses: { 200: { description: "Where the request stands", content: { "application/json": { schema: HandoffFrameSchema } } }, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503) },
});

const offlineMessage = createRoute({
  method: "post",
  path: "/v1/conversations/{id}/offline-message",
  tags,
  summary: "Leave a message for the team when no agent can take the conversation",
  description:
    "Allowed once a person was asked for and while no agent has the conversation. The text is stored in the transcript (seq, like any message; idempotent per clientMessageId) and the team gets an offline ticket with the email address. The bot keeps answering meanwhile. 429 `too_many_tickets` when the team already holds MAX_OPEN_TICKETS open tickets.",
  security: bearer,
  middleware: [conversationAuth, jsonBody] as const,
  request: { params: IdParam, body: json(OfflineMessageSchema) },
  responses: {
    200: { description: "Stored and filed", content: { "application/json": { schema: z.object({ message: MessageSchema, duplicate: z.boolean(), handoff: HandoffFrameSchema }).openapi("OfflineMessageResult") } } },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503),
  },
});

const rating = createRoute({
  method: "post",
  path: "/v1/conversations/{id}/rating",
  tags,
  summary: "Rate the conversation (1 to 5)",
  description: "Open or closed conversations alike; a later rating replaces an earlier one (in CSAT too: one rating per conversation).",
  security: bearer,
  middleware: [conversationAuth, jsonBody] as const,
  request: { params: IdParam, body: json(RatingSchema) },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: z.object({ score: z.number().int(), comment: z.string().optional(), ratedAt: z.string() }).openapi("StoredRating") } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 429),
  },
});

const feedback = createRoute({
  method: "post",
  path: "/v1/conversations/{id}/messages/{seq}/feedback",
  tags,
  summary: "Mark one of the bot's answers helpful or not",
  description: "Only assistant messages take feedback (409 feedback_not_allowed otherwise); a later mark replaces an earlier one, and repeating a mark changes nothing. A mark on an answer is also a vote on the customer's question for the article it cited (learning from confirmations). Limited per conversation by RATE_LIMIT_CONVERSATION_FRAMES (429 rate_limited with Retry-After).",
  security: bearer,
  middleware: [conversationAuth, jsonBody] as const,
  request: { params: IdParam.extend({ seq: z.coerce.number().int().min(1).openapi({ param: { name: "seq", in: "path" }, example: 2 }) }), body: json(FeedbackSchema) },
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: z.object({ seq: z.number().int(), helpful: z.boolean() }).openapi("StoredFeedback") } } },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

export const conversationHandoff = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const framesPolicy = (c: { var: AppEnv["Variables"] }) => c.var.config.limits.conversationFrames;

conversationHandoff.openapi(handoff, async (c) => c.json(unwrapLimited(await c.var.conversation.stub.requestHandoff(c.req.valid("json").reason), framesPolicy(c)), 200));

conversationHandoff.openapi(offlineMessage, async (c) => c.json(unwrapLimited(await c.var.conversation.stub.leaveMessage(c.req.valid("json")), framesPolicy(c)), 200));

conversationHandoff.openapi(rating, async (c) => c.json(unwrapLimited(await c.var.conversation.stub.rate(c.req.valid("json")), framesPolicy(c)), 200));

conversationHandoff.openapi(feedback, async (c) => {
  const { seq } = c.req.valid("param");
  // The client's digest: a mark counts once per client toward learning (src/kb/learning).
  return c.json(unwrapLimited(await c.var.conversation.stub.feedback(seq, c.req.valid("json").helpful, await clientLimitKey(c)), framesPolicy(c)), 200);
});

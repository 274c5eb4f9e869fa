// The customer API: create a conversation, send messages (JSON or SSE), read the
// transcript, open the WebSocket, close the conversation.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { signToken } from "../../auth/token.ts";
import { conversationStub, createConversationAddress } from "../../platform/conversations.ts";
import { requestColo } from "../../platform/events.ts";
import { requireSecret } from "../../config.ts";
import { CreateInputSchema, PAGE_LIMIT_MAX, SendInputSchema } from "../../conversation/schemas.ts";
import { CLIENT_KEY_HEADER, SUBPROTOCOL } from "../../conversation/protocol.ts";
import { AppError, unwrap, type Outcome } from "../../errors.ts";
import type { AppEnv } from "../context.ts";
import { conversationAuth } from "../middleware/conversation-auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { clientLimitKey, unwrapLimited } from "../middleware/rate-limit.ts";
import { originAllowed } from "../middleware/security.ts";
import { queryInt } from "../query.ts";
import { ConversationSchema, CreatedSchema, errorResponses, PageSchema, TurnSchema } from "../schemas.ts";
import { validationHook } from "../../validation.ts";
import { turnEventsToSse } from "../sse.ts";
import { indexConversation } from "../../platform/subjects.ts";
import { identifyCustomer } from "../../privacy/identity.ts";
import { releaseView } from "../../platform/releases.ts";
import { tagFor } from "../../releases/view.ts";

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "0".repeat(64), description: "The conversation id; EU conversations start with eu-." }) });
const bearer = [{ bearerAuth: [] }];
const tags = ["Conversations"];

const create = createRoute({
  method: "post",
  path: "/v1/conversations",
  tags,
  summary: "Start a conversation",
  middleware: [jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateInputSchema } } } },
  responses: {
    201: { description: "Created. Keep the token: it is the only key to this conversation.", content: { "application/json": { schema: CreatedSchema } } },
    ...errorResponses(400, 403, 413, 415, 500),
  },
});

const send = createRoute({
  method: "post",
  path: "/v1/conversations/{id}/messages",
  tags,
  summary: "Send a customer message and get the reply",
  description:
    "Idempotent per clientMessageId: a retry returns the original turn with duplicate=true. A quick reply that picks a suggested article sends `choice: { articleId, inReplyTo }` (inReplyTo: the seq of the reply that offered it): a vote for the customer's question as a new wording of that article (learning from confirmations); a choice that reply did not offer is ignored, and the text is answered either way. With `Accept: text/event-stream` the turn streams as SSE events `message` (the stored customer message), `delta` ({ text }, while the reply is generated), `done` (the stored reply) and `handoff` (when the turn asked for a person, or went to the agent who has the conversation: then `reply` is null and no `done` follows).",
  security: bearer,
  middleware: [conversationAuth, jsonBody] as const,
  request: { params: IdParam, body: { required: true, content: { "application/json": { schema: SendInputSchema } } } },
  responses: {
    200: {
      description: "The stored message and its reply",
      content: { "application/json": { schema: TurnSchema }, "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/conversations/{id}/messages",
  tags,
  summary: "Read the transcript, in order",
  security: bearer,
  middleware: [conversationAuth] as const,
  request: {
    params: IdParam,
    query: z.object({
      after: queryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0, description: "Return messages with seq greater than this." }),
      limit: queryInt({ min: 1, max: PAGE_LIMIT_MAX, default: 50 }),
    }),
  },
  responses: {
    200: { description: "A page of the transcript", content: { "application/json": { schema: PageSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

const socket = createRoute({
  method: "get",
  path: "/v1/conversations/{id}/ws",
  tags,
  summary: "Open the conversation's WebSocket",
  description: `Authenticate with \`Authorization: Bearer <token>\`, or from a browser by offering the subprotocols \`${SUBPROTOCOL}\` and \`holdfast.auth.<token>\` (only \`${SUBPROTOCOL}\` is echoed). Client frames: {type:"message",text,clientMessageId,choice?:{articleId,inReplyTo}}, {type:"handoff",reason?} (ask for a person), {type:"rating",score,comment?}, {type:"typing"}, {type:"offline_message",email,text,clientMessageId} and {"type":"ping"}. Server frames: ack, message (agent messages have role "agent" and agent.name), typing (agent.name when the agent types), delta, handoff {state: queued|assigned|ended|offline, position?, etaSeconds?, agent?, reason?}, rated, rating_request (an auto-resolved conversation asks for a rating, CSAT_ON_RESOLVE), closed {reason: closed_by_customer|idle_timeout|closed_by_agent|auto_resolved}, error {code, message, clientMessageId?, retryAfter?}, pong. Every client frame is limited per conversation (message: RATE_LIMIT_CONVERSATION; each other kind: RATE_LIMIT_CONVERSATION_FRAMES): past it, an error frame rate_limited with retryAfter in seconds. Reconnect with ?after=<last seq> to receive exactly what was missed.`,
  security: bearer,
  middleware: [conversationAuth] as const,
  request: { params: IdParam, query: z.object({ after: queryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }) }) },
  responses: {
    101: { description: "Switching protocols" },
    ...errorResponses(400, 401, 403, 404, 409, 426, 429),
  },
});

const close = createRoute({
  method: "delete",
  path: "/v1/conversations/{id}",
  tags,
  summary: "Close the conversation",
  description: "Open sockets are closed with reason closed_by_customer; later sends get 409.",
  security: bearer,
  middleware: [conversationAuth] as const,
  request: { params: IdParam },
  responses: {
    200: { description: "Closed", content: { "application/json": { schema: ConversationSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

export const conversations = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

conversations.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const { config } = c.var;
  const secret = requireSecret(config);
  const { region, jurisdiction } = c.var.location;
  const identified = await identifyCustomer(input.customer, input.customerSignature, config.customerSigningSecret);
  if (identified === "invalid") throw new AppError("customer_signature_invalid");
  if (identified === "unverifiable") throw new AppError("server_misconfigured");
  const address = createConversationAddress(c.env, jurisdiction, config.jurisdictions);
  const { id } = address;
  const createdAt = new Date().toISOString();
  // Indexed before it exists: an erasure can never miss a verified customer's conversation.
  if (identified.subject) await indexConversation(c.env, identified.subject, { conversationId: id, jurisdiction, region, createdAt });
  const stub = conversationStub(c.env, address, region);
  // Its arm in the open release, if any: fixed now, for the conversation's life.
  const release = tagFor(id, (await releaseView(c.env)).release);
  const meta = unwrap(
    await stub.create({ id, locale: input.locale ?? "en", region, jurisdiction, customer: identified.customer, metadata: input.metadata, subject: identified.subject ?? undefined, team: input.team, colo: requestColo(c.req.raw), release }),
  );
  const expiresAt = Math.floor(Date.now() / 1000) + config.tokenTtlSeconds;
  const url = new URL(c.req.url);
  const websocketUrl = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}/v1/conversations/${id}/ws`;
  return c.json(
    { id, token: await signToken(secret, id, expiresAt), expiresAt: new Date(expiresAt * 1000).toISOString(), websocketUrl, createdAt: meta.createdAt },
    201,
  );
});

conversations.openapi(send, async (c) => {
  const input = c.req.valid("json");
  const { stub } = c.var.conversation;
  const limited = <T>(outcome: Outcome<T>): T => unwrapLimited(outcome, c.var.config.limits.conversation);
  // The sender's client digest: a pick counts once per client toward learning (src/kb/learning).
  const client = input.choice ? await clientLimitKey(c) : undefined;
  if ((c.req.header("accept") ?? "").includes("text/event-stream")) {
    const stream = limited(await stub.sendStream(input, client));
    return new Response(turnEventsToSse(stream), { headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store" } });
  }
  return c.json(limited(await stub.send(input, client)), 200);
});

conversations.openapi(list, async (c) => {
  const { after, limit } = c.req.valid("query");
  return c.json(unwrap(await c.var.conversation.stub.history(after, limit)), 200);
});

conversations.openapi(socket, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError("upgrade_required");
  if (!originAllowed(c.req.header("origin"), c.req.url, c.var.config.allowedOrigins)) throw new AppError("origin_not_allowed");
  const { after } = c.req.valid("query");
  const target = new URL(c.req.url);
  target.search = `?after=${after}`;
  const upgrade = new Request(target, c.req.raw);
  upgrade.headers.set(CLIENT_KEY_HEADER, await clientLimitKey(c));
  const res = await c.var.conversation.stub.fetch(upgrade);
  if (res.status !== 101) throw new AppError(res.status === 409 ? "conversation_closed" : res.status === 429 ? "too_many_sockets" : "conversation_not_found");
  return res;
});

conversations.openapi(close, async (c) => {
  const meta = unwrap(await c.var.conversation.stub.close());
  const { customer: _customer, metadata: _metadata, region: _region, jurisdiction: _jurisdiction, ...visible } = meta;
  return c.json(visible, 200);
});

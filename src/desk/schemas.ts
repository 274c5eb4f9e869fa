// Input and response shapes of the agent REST API (the mirrors of the console's frames),
// in one place for the routes and the OpenAPI document.
import { z } from "@hono/zod-openapi";
import { ArticleIdSchema, ClientMessageIdSchema, TextSchema } from "../conversation/schemas.ts";
import { PRESENCES, RESOLUTIONS } from "./model.ts";
import { DeskIdSchema } from "./protocol.ts";

export const AgentSessionSchema = z
  .object({
    token: z.string().openapi({ description: "Bearer token for /v1/agent/*, or the `holdfast.auth.<token>` subprotocol of /v1/agent/ws." }),
    expiresAt: z.string().openapi({ format: "date-time" }),
    agent: z.object({ id: z.string(), name: z.string(), team: z.string() }),
    websocketUrl: z.string(),
  })
  .openapi("AgentSession");

export const AgentTextSchema = z.strictObject({ text: TextSchema, clientMessageId: ClientMessageIdSchema }).openapi("AgentText");

export const TransferSchema = z
  .strictObject({ to: z.union([z.strictObject({ agentId: DeskIdSchema }), z.strictObject({ team: DeskIdSchema })]) })
  .openapi("Transfer");

/** A reply; `articleId` when it inserts a suggested article's answer: a vote for the customer's question (learning from confirmations). */
export const AgentMessageSchema = AgentTextSchema.extend({ articleId: ArticleIdSchema.optional() }).openapi("AgentMessage");
/** `articleId`: the article that answered the customer, a vote for their question (learning from confirmations). */
export const CloseSchema = z.strictObject({ resolution: z.enum(RESOLUTIONS), articleId: ArticleIdSchema.optional() }).openapi("CloseWithResolution");

const QueueItemSchema = z.object({
  conversationId: z.string(),
  reason: z.string(),
  language: z.string(),
  region: z.string(),
  channel: z.literal("email").optional().openapi({ description: "A mail (answered by mail); absent for the web chat." }),
  status: z.enum(["waiting", "assigned"]),
  position: z.number().int().nullable(),
  agent: z.object({ agentId: z.string(), name: z.string() }).nullable(),
  waitingSeconds: z.number().int().nullable(),
  sentiment: z.number(),
  trend: z.enum(["improving", "steady", "worsening"]),
  sla: z.enum(["ok", "warning", "breached"]),
  slaKind: z.enum(["first_response", "next_response"]).nullable(),
  slaDueSeconds: z.number().int().nullable(),
});

export const QueueSchema = z
  .object({
    type: z.literal("queue"),
    items: z.array(QueueItemSchema),
    agents: z.array(z.object({ agentId: z.string(), name: z.string(), presence: z.enum(PRESENCES), capacity: z.number().int(), active: z.number().int() })),
    breaches: z.object({ firstResponse: z.number().int(), nextResponse: z.number().int() }),
    tickets: z.array(z.object({ ticketId: z.string(), conversationId: z.string(), language: z.string(), channel: z.literal("email").optional(), createdAt: z.number() }).openapi({ description: "A message left for the team (or a mail nobody could take); the address and the message are read from the conversation (GET /v1/agent/conversations/{id}). Any agent of the team answers it by mail (POST …/messages)." })),
    canned: z.array(z.object({ id: z.string(), locale: z.string(), title: z.string(), text: z.string() })),
  })
  .openapi("AgentQueue");

export const ActionResultSchema = z.object({ conversationId: z.string(), ok: z.literal(true) }).openapi("AgentActionResult");

export const TicketResultSchema = z.object({ ticketId: z.string(), ok: z.literal(true) }).openapi("AgentTicketResult");

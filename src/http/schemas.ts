// OpenAPI response shapes. Inputs live with their domain (src/conversation/schemas.ts).
import { z } from "@hono/zod-openapi";
import { ERRORS } from "../errors.ts";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), issue: z.string() })).optional(),
    }),
  })
  .openapi("Error");

export const ReplyMetaSchema = z
  .object({
    mode: z.enum(["normal", "degraded"]),
    answerer: z.string(),
    locale: z.string(),
    degraded: z.object({ reason: z.string(), since: z.string(), kbVersion: z.number().int().nullable(), staleSeconds: z.number().int().nullable() }).optional(),
    breakers: z.record(z.string(), z.enum(["closed", "open", "half_open"])).optional(),
    decision: z.enum(["answer", "clarify", "offer_handoff", "out_of_scope", "smalltalk"]).optional(),
    confidence: z.number().optional(),
    citations: z.array(z.object({ articleId: z.string(), title: z.string(), kbVersion: z.number().int() })).optional(),
    suggestions: z.array(z.object({ articleId: z.string(), title: z.string() })).optional(),
    generation: z.object({ provider: z.string(), fallback: z.string().optional() }).optional(),
    handoff: z.object({ reason: z.enum(["requested", "negative_sentiment", "repeated_failures"]) }).optional(),
    kb: z.object({ version: z.number().int(), lagSeconds: z.number().int().nullable(), stale: z.boolean() }).optional(),
    kbVersion: z.number().int().optional().openapi({ description: "The KB version that answered: a release's candidate version for its canary conversations." }),
    release: z.object({ id: z.string(), arm: z.enum(["canary", "stable"]) }).optional().openapi({ description: "The open release the conversation takes part in, and its arm." }),
  })
  .openapi("ReplyMeta");

export const MessageSchema = z
  .object({
    seq: z.number().int().openapi({ description: "Position in the conversation, from 1, without gaps." }),
    role: z.enum(["customer", "assistant", "agent", "system"]),
    text: z.string(),
    createdAt: z.string().openapi({ format: "date-time" }),
    clientMessageId: z.string().optional(),
    replyTo: z.number().int().optional().openapi({ description: "The seq of the customer message this replies to." }),
    meta: ReplyMetaSchema.optional(),
    agent: z.object({ name: z.string() }).optional().openapi({ description: "On agent messages: the name the agent goes by." }),
  })
  .openapi("Message");

export const HandoffFrameSchema = z
  .object({
    type: z.literal("handoff"),
    state: z.enum(["queued", "assigned", "ended", "offline"]),
    position: z.number().int().optional().openapi({ description: "1-based place in the queue while waiting." }),
    etaSeconds: z.number().int().optional().openapi({ description: "Estimated wait, from the queue and recent handling times; absent when no agent is online." }),
    agent: z.object({ name: z.string() }).optional(),
    reason: z.enum(["no_agents", "closed_hours", "max_wait"]).optional().openapi({ description: "With state offline: why the customer is offered to leave a message." }),
  })
  .openapi("Handoff");

export const TurnSchema = z
  .object({
    message: MessageSchema,
    reply: MessageSchema.nullable().openapi({ description: "The bot's reply; null when an agent has the conversation (the message is for them)." }),
    duplicate: z.boolean().openapi({ description: "True when this clientMessageId was already accepted; nothing new was stored." }),
    handoff: HandoffFrameSchema.optional().openapi({ description: "Where a request for a person stands, when this turn made one or went to the agent." }),
  })
  .openapi("Turn");

export const PageSchema = z
  .object({
    messages: z.array(MessageSchema),
    hasMore: z.boolean(),
    nextAfter: z.number().int().nullable(),
  })
  .openapi("TranscriptPage");

export const CreatedSchema = z
  .object({
    id: z.string(),
    token: z.string().openapi({ description: "Bearer token for this conversation only." }),
    expiresAt: z.string().openapi({ format: "date-time" }),
    websocketUrl: z.string(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ConversationCreated");

export const ConversationSchema = z
  .object({
    id: z.string(),
    locale: z.string(),
    status: z.enum(["open", "closed"]),
    createdAt: z.string(),
    closedAt: z.string().optional(),
    closeReason: z.enum(["closed_by_customer", "idle_timeout", "closed_by_agent", "auto_resolved"]).optional(),
  })
  .openapi("Conversation");

/** A JSON response of `schema`, as a route documents it. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

/** Error responses, documented on every route that can produce them. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: `Error (${s})`, content: { "application/json": { schema: ErrorSchema } } }]),
  );
}

// The agent API: sign in with an operator key (role agent, or admin as a supervisor), the
// desk's WebSocket, and REST mirrors of the console's actions for scripts and tests. Desk
// state comes from the team's AgentDeskDO; transcripts from each conversation's own object,
// and every transcript read is audited first (no record, no read).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { signAgentToken } from "../../auth/agent-token.ts";
import { requireSecret } from "../../config.ts";
import { CONVERSATION_ID } from "../../conversation/address.ts";
import { PAGE_LIMIT_MAX } from "../../conversation/schemas.ts";
import type { AgentClientFrame } from "../../desk/protocol.ts";
import { AGENT_SUBPROTOCOL, DeskIdSchema } from "../../desk/protocol.ts";
import { ActionResultSchema, AgentMessageSchema, AgentSessionSchema, AgentTextSchema, CloseSchema, QueueSchema, TicketResultSchema, TransferSchema } from "../../desk/schemas.ts";
import { AppError, unwrap, type Outcome } from "../../errors.ts";
import { AGENT_HEADER, conversationById, deskOf, deskUnavailable, type AgentReply } from "../../platform/desks.ts";
import { validationHook } from "../../validation.ts";
import { audit, audited } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { noteTranscriptReads } from "../transcript-reads.ts";
import { agentAuth } from "../middleware/agent-auth.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { BREAK_GLASS, operatorAuth } from "../middleware/operator-auth.ts";
import { originAllowed } from "../middleware/security.ts";
import { errorResponses, MessageSchema } from "../schemas.ts";

const tags = ["Agents"];
const bearer = [{ bearerAuth: [] }];
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "0".repeat(64) }) });

const HistoryEntrySchema = z
  .object({
    id: z.string(),
    startedAt: z.string().openapi({ format: "date-time" }),
    channel: z.string().openapi({ example: "web" }),
    status: z.enum(["open", "closed_by_customer", "idle_timeout", "closed_by_agent", "auto_resolved"]).openapi({ description: "Open, or why it closed." }),
    handedOff: z.boolean().openapi({ description: "A person was asked for." }),
    resolution: z.string().optional().openapi({ description: "The agent's, when an agent closed it." }),
    rating: z.number().int().optional(),
    articles: z.array(z.object({ articleId: z.string(), title: z.string() })).openapi({ description: "The articles the bot's answers cited." }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("HistoryEntry");

const session = createRoute({
  method: "post",
  path: "/v1/agent/session",
  tags,
  summary: "Sign in to the desk with an operator key",
  description: "Operators with role `agent`, and `admin` (supervisors), get a short-lived session token (AGENT_TOKEN_TTL_SECONDS, 8 h by default) for their team's desk (the operator's team, else DEFAULT_TEAM). Other roles get 403; the break-glass ADMIN_API_KEY is refused too, since desk work must name a person.",
  security: bearer,
  middleware: [operatorAuth("agent", "admin"), audited("agent.session", (c) => c.var.operator?.id ?? "-")] as const,
  responses: {
    201: { description: "A session", content: { "application/json": { schema: AgentSessionSchema } } },
    ...errorResponses(401, 403),
  },
});

const socket = createRoute({
  method: "get",
  path: "/v1/agent/ws",
  tags,
  summary: "Open the desk's WebSocket",
  description: `Authenticate with \`Authorization: Bearer <session token>\`, or from a browser with the subprotocols \`${AGENT_SUBPROTOCOL}\` and \`holdfast.auth.<token>\`. Client frames: presence {status, capacity?}, message {conversationId, text, clientMessageId, articleId?} (articleId: the reply inserts that suggested article), canned {conversationId, cannedId, clientMessageId}, note, typing, claim, transfer {to}, release, close {resolution, articleId?} (articleId: the article that answered the customer), close_ticket. Server frames: presence, queue, tickets, canned, assigned, unassigned, message, note, typing, assist, ack {clientMessageId, seq}, error {code}. Transcript text passes through the desk; it is never stored there. Every client frame but typing is written to the audit log under its REST mirror's action name.`,
  security: bearer,
  middleware: [agentAuth] as const,
  responses: { 101: { description: "Switching protocols" }, ...errorResponses(401, 403, 426) },
});

const queue = createRoute({
  method: "get",
  path: "/v1/agent/queue",
  tags,
  summary: "The team's live queue, agents, SLA breaches, tickets and canned replies",
  security: bearer,
  middleware: [agentAuth] as const,
  responses: { 200: { description: "The queue", content: { "application/json": { schema: QueueSchema } } }, ...errorResponses(401, 503) },
});

const read = createRoute({
  method: "get",
  path: "/v1/agent/conversations/{id}",
  tags,
  summary: "Read a conversation: transcript, notes, rating, feedback, the bot's suggestions and the customer's history",
  description:
    "Allowed for a conversation waiting in the agent's team queue or assigned to the agent (admins: any the desk holds), or, with `via=<that conversation's id>`, for one of its verified customer's earlier conversations (listed in its `history`); anything else is 403. `history` lists a verified customer's other conversations, newest first: `{ id, startedAt, channel, status (open or why it closed), handedOff, resolution?, rating?, articles, updatedAt }` (none for an unverified customer). Every read is written to the audit log first; if that cannot be done the read is refused with 503.",
  security: bearer,
  middleware: [agentAuth] as const,
  request: {
    params: IdParam,
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(200),
      via: z.string().regex(CONVERSATION_ID, "via is a conversation id").optional().openapi({ description: "The conversation the agent may read whose customer's history lists this one." }),
    }),
  },
  responses: {
    200: {
      description: "The conversation as agents see it",
      content: { "application/json": { schema: z.object({ conversation: z.object({ id: z.string() }).passthrough(), messages: z.array(MessageSchema), history: z.array(HistoryEntrySchema) }).passthrough().openapi("AgentConversation") } },
    },
    ...errorResponses(400, 401, 403, 404, 503),
  },
});

/** A REST mirror of a console action, with a JSON body. */
function actionWith<B extends z.ZodType>(name: "messages" | "notes" | "transfer" | "close", summary: string, body: B, result: z.ZodType) {
  return createRoute({
    method: "post",
    path: `/v1/agent/conversations/{id}/${name}`,
    tags,
    summary,
    security: bearer,
    middleware: [agentAuth, jsonBody, audited(`agent.conversation.${name}`, (c) => c.req.param("id") ?? "-")] as const,
    request: { params: IdParam, body: { required: true, content: { "application/json": { schema: body } } } },
    responses: { 200: { description: "Done", content: { "application/json": { schema: result } } }, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
  });
}

/** A REST mirror of a console action without a body. */
function action(name: "claim" | "release", summary: string) {
  return createRoute({
    method: "post",
    path: `/v1/agent/conversations/{id}/${name}`,
    tags,
    summary,
    security: bearer,
    middleware: [agentAuth, audited(`agent.conversation.${name}`, (c) => c.req.param("id") ?? "-")] as const,
    request: { params: IdParam },
    responses: { 200: { description: "Done", content: { "application/json": { schema: ActionResultSchema } } }, ...errorResponses(400, 401, 404, 409, 503) },
  });
}

const MessageResult = z.object({ message: MessageSchema, duplicate: z.boolean() }).openapi("AgentMessageResult");
const NoteResult = z
  .object({ note: z.object({ id: z.number().int(), afterSeq: z.number().int(), agent: z.object({ id: z.string(), name: z.string() }), text: z.string(), clientMessageId: z.string(), createdAt: z.string() }), duplicate: z.boolean() })
  .openapi("AgentNoteResult");

export const agent = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

agent.openapi(session, async (c) => {
  const operator = c.var.operator;
  if (operator.id === BREAK_GLASS.id || (operator.role !== "agent" && operator.role !== "admin")) throw new AppError("forbidden");
  const { config } = c.var;
  const exp = Math.floor(Date.now() / 1000) + config.desk.agentTokenTtlSeconds;
  const team = operator.team ?? config.desk.defaultTeam;
  const token = await signAgentToken(requireSecret(config), { id: operator.id, name: operator.name, role: operator.role, team, exp });
  const url = new URL(c.req.url);
  const websocketUrl = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}/v1/agent/ws`;
  return c.json({ token, expiresAt: new Date(exp * 1000).toISOString(), agent: { id: operator.id, name: operator.name, team }, websocketUrl }, 201);
});

agent.openapi(socket, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError("upgrade_required");
  if (!originAllowed(c.req.header("origin"), c.req.url, c.var.config.allowedOrigins)) throw new AppError("origin_not_allowed");
  const headers = new Headers(c.req.raw.headers);
  // Set here, never taken from the client: the desk trusts this header.
  headers.set(AGENT_HEADER, JSON.stringify(c.var.agent));
  const res = await deskOf(c.env, c.var.agent.team).fetch(new Request(c.req.url, { headers }));
  if (res.status !== 101) throw new AppError(res.status === 500 ? "server_misconfigured" : "unauthorized");
  return res;
});

agent.openapi(queue, async (c) => {
  const snapshot = unwrap(await desk(c).snapshot(c.var.agent.team).catch(deskUnavailable));
  return c.json({ ...snapshot, canned: [...snapshot.canned] }, 200);
});

agent.openapi(read, async (c) => {
  const { id } = c.req.valid("param");
  const { after, limit, via } = c.req.valid("query");
  const stub = conversationOf(c, id);
  // An earlier conversation of the customer opens through the one the agent may read.
  const access = via === undefined ? await desk(c).access(c.var.agent, id).catch(deskUnavailable) : await earlierOf(c, via, id);
  if (!access) {
    await audit(c, "conversation.read", id, "denied").catch(() => {});
    throw new AppError("forbidden");
  }
  try {
    await audit(c, "conversation.read", id, "ok");
  } catch {
    throw new AppError("audit_unavailable");
  }
  const view = unwrap(await stub.agentView(after, limit));
  noteTranscriptReads(c, [id]);
  return c.json(view, 200);
});

agent.openapi(action("claim", "Take a waiting conversation (needs an open console)"), async (c) => done(c, await act(c, { type: "claim", conversationId: c.req.valid("param").id })));

agent.openapi(actionWith("messages", "Reply to the customer (idempotent per clientMessageId)", AgentMessageSchema, MessageResult), async (c) => {
  const { text, clientMessageId, articleId } = c.req.valid("json");
  const reply = unwrap(await act(c, { type: "message", conversationId: c.req.valid("param").id, text, clientMessageId, ...(articleId && { articleId }) }));
  if (reply.kind !== "message") throw new AppError("internal_error");
  return c.json({ message: reply.message, duplicate: reply.duplicate }, 200);
});

agent.openapi(actionWith("notes", "Write a private note (never shown to the customer)", AgentTextSchema, NoteResult), async (c) => {
  const { text, clientMessageId } = c.req.valid("json");
  const reply = unwrap(await act(c, { type: "note", conversationId: c.req.valid("param").id, text, clientMessageId }));
  if (reply.kind !== "note") throw new AppError("internal_error");
  return c.json({ note: reply.note, duplicate: reply.duplicate }, 200);
});

agent.openapi(actionWith("transfer", "Transfer to another agent of the team, or to another team's queue", TransferSchema, ActionResultSchema), async (c) =>
  done(c, await act(c, { type: "transfer", conversationId: c.req.valid("param").id, to: c.req.valid("json").to })),
);

agent.openapi(action("release", "Hand the conversation back to the bot"), async (c) => done(c, await act(c, { type: "release", conversationId: c.req.valid("param").id })));

agent.openapi(actionWith("close", "Close the conversation with a resolution", CloseSchema, ActionResultSchema), async (c) =>
  done(c, await act(c, { type: "close", conversationId: c.req.valid("param").id, ...c.req.valid("json") })),
);

const closeTicket = createRoute({
  method: "post",
  path: "/v1/agent/tickets/{id}/close",
  tags,
  summary: "Close an offline ticket of the team (the left message was dealt with)",
  description: "The ticket leaves the desk's list; the conversation keeps the message and the address. Unknown tickets are 404 `ticket_not_found`.",
  security: bearer,
  middleware: [agentAuth, audited("agent.ticket.close", (c) => c.req.param("id") ?? "-")] as const,
  request: { params: IdParam },
  responses: { 200: { description: "Closed", content: { "application/json": { schema: TicketResultSchema } } }, ...errorResponses(400, 401, 404, 503) },
});

agent.openapi(closeTicket, async (c) => {
  const ticketId = c.req.valid("param").id;
  if (!DeskIdSchema.safeParse(ticketId).success) throw new AppError("ticket_not_found");
  unwrap(await act(c, { type: "close_ticket", ticketId }));
  return c.json({ ticketId, ok: true as const }, 200);
});

type AgentContext = Parameters<Parameters<typeof agent.openapi>[1]>[0];

/** Whether `id` is in the history of `via`, a conversation the agent may read. */
async function earlierOf(c: AgentContext, via: string, id: string): Promise<boolean> {
  if (via === id || !(await desk(c).access(c.var.agent, via).catch(deskUnavailable))) return false;
  const history = await conversationOf(c, via).customerHistory();
  return history.some((h) => h.id === id);
}

function desk(c: AgentContext) {
  return deskOf(c.env, c.var.agent.team);
}

function conversationOf(c: AgentContext, id: string) {
  const stub = CONVERSATION_ID.test(id) ? conversationById(c.env, id, c.var.config.jurisdictions) : null;
  if (!stub) throw new AppError("conversation_not_found");
  return stub;
}

async function act(c: AgentContext, frame: AgentClientFrame): Promise<Outcome<AgentReply>> {
  if ("conversationId" in frame) conversationOf(c, frame.conversationId);
  return desk(c).act(c.var.agent, frame).catch(deskUnavailable);
}

function done(c: AgentContext, outcome: Outcome<AgentReply>) {
  unwrap(outcome);
  return c.json({ conversationId: c.req.param("id") ?? "", ok: true as const }, 200);
}


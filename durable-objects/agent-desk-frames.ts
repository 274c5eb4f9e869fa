// AgentDeskDO's agent actions, as glue: a console's frame (or its REST mirror) becomes a desk
// event, a call to the conversation's object (messages, canned replies, notes, typing, close)
// or both; the console gets an error or an ack, and the action goes to the audit log after.
import type { AgentIdentity } from "../src/auth/agent-token.ts";
import { readConfig } from "../src/config.ts";
import type { AgentPost } from "../src/conversation/handoff.ts";
import type { Message } from "../src/conversation/types.ts";
import { auditOfFrame, auditOutcomeOf } from "../src/desk/audit.ts";
import { cannedResponse } from "../src/desk/canned-library.ts";
import { checkAssigned } from "../src/desk/desk.ts";
import type { DeskEffect, DeskEvent } from "../src/desk/model.ts";
import { agentErrorFrame, parseAgentFrame, type AgentClientFrame } from "../src/desk/protocol.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import type { KbDatabase } from "../src/kb/articles.ts";
import { appendAudit } from "../src/operators/repository.ts";
import { conversationById, type AgentReply } from "../src/platform/desks.ts";
import { configuredPrimary } from "../src/platform/primary.ts";
import { logAuditFailure, type AuditOutcome } from "../src/privacy/audit-chain.ts";
import type { CannedStore } from "./agent-desk-canned.ts";
import type { AgentAttachment, DeskSockets } from "./agent-desk-sockets.ts";
import type { DeskStore } from "./agent-desk-store.ts";
import type { Note } from "./conversation-handoff-store.ts";

type ConversationStub = NonNullable<ReturnType<typeof conversationById>>;

export interface DeskFramesDeps {
  env: Env;
  jurisdictions: boolean;
  store: DeskStore;
  canned: CannedStore;
  sockets: DeskSockets;
  /** Applies a desk event and carries out its effects. */
  apply(team: string, event: DeskEvent): Outcome<DeskEffect[]>;
  /** Calls a conversation's object through the desk's outbox, in effect order. */
  call(conversationId: string, job: (c: ConversationStub) => Promise<unknown>): void;
}

export class DeskFrames {
  private readonly d: DeskFramesDeps;
  /** Where console actions are audited (the KB primary), opened on the first one. */
  private auditLog: KbDatabase | null = null;

  constructor(deps: DeskFramesDeps) {
    this.d = deps;
  }

  /** A frame from an agent's console. */
  async message(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const { sockets } = this.d;
    const attachment = sockets.attachment(ws);
    if (!attachment) return sockets.close(ws, 1008, "unknown agent");
    const decision = parseAgentFrame(data);
    if (decision.kind === "too_large") return sockets.close(ws, 1009, "frame too large");
    if (decision.kind === "reject") return sockets.send(ws, agentErrorFrame(decision.code));
    const frame = decision.frame;
    const clientMessageId = "clientMessageId" in frame ? frame.clientMessageId : undefined;
    const outcome = await this.handle(identityOf(attachment), frame);
    this.answer(ws, outcome, clientMessageId);
    // After the reply, so the console does not wait for the primary; as the REST mirrors do.
    const record = auditOfFrame(frame, attachment.agentId);
    if (record) await this.audit(attachment, record.action, record.target, auditOutcomeOf(outcome));
  }

  /** An agent action, from a console or the REST mirrors: the same rules for both. */
  async handle(agent: AgentIdentity, frame: AgentClientFrame): Promise<Outcome<AgentReply>> {
    const { apply, call, store } = this.d;
    const done = (applied: Outcome<DeskEffect[]>): Outcome<AgentReply> => (applied.ok ? ok({ kind: "done" }) : applied);
    switch (frame.type) {
      case "presence":
        return done(apply(agent.team, { type: "presence", agentId: agent.id, status: frame.status, capacity: frame.capacity }));
      case "claim":
        return done(apply(agent.team, { type: "claim", agentId: agent.id, conversationId: frame.conversationId }));
      case "transfer":
        return done(apply(agent.team, { type: "transfer", agentId: agent.id, conversationId: frame.conversationId, to: frame.to }));
      case "release":
        return done(apply(agent.team, { type: "release", agentId: agent.id, conversationId: frame.conversationId }));
      case "close": {
        const applied = apply(agent.team, { type: "close", agentId: agent.id, conversationId: frame.conversationId, resolution: frame.resolution });
        if (applied.ok) call(frame.conversationId, (c) => c.agentClosed(frame.resolution, frame.articleId ? { articleId: frame.articleId, agentId: agent.id } : undefined));
        return done(applied);
      }
      case "close_ticket":
        return done(apply(agent.team, { type: "close_ticket", agentId: agent.id, ticketId: frame.ticketId }));
      case "typing": {
        const refused = checkAssigned(store.state(agent.team), agent.id, frame.conversationId);
        if (refused) return fail(refused);
        call(frame.conversationId, (c) => c.agentTyping(agent.name));
        return ok({ kind: "done" });
      }
      case "message":
        return this.post(agent, frame.conversationId, frame.clientMessageId, { text: frame.text, ...(frame.articleId && { articleId: frame.articleId }) });
      case "canned": {
        const canned = cannedResponse(this.d.canned.library(), frame.cannedId);
        if (!canned) return fail("not_found");
        return this.post(agent, frame.conversationId, frame.clientMessageId, { template: canned.text });
      }
      case "note": {
        const refused = checkAssigned(store.state(agent.team), agent.id, frame.conversationId);
        if (refused) return fail(refused);
        const conversation = conversationById(this.d.env, frame.conversationId, this.d.jurisdictions);
        if (!conversation) return fail("conversation_not_found");
        const outcome = await conversation.agentNote({ agent: { id: agent.id, name: agent.name }, text: frame.text, clientMessageId: frame.clientMessageId }).catch(() => fail<{ note: Note; duplicate: boolean }>("internal_error"));
        return outcome.ok ? ok({ kind: "note", ...outcome.value }) : outcome;
      }
    }
  }

  /** An agent's message: forwarded to the conversation, which stores it once; then the desk records the reply. */
  private async post(agent: AgentIdentity, conversationId: string, clientMessageId: string, body: { text?: string; template?: string; articleId?: string }): Promise<Outcome<AgentReply>> {
    const conversation = conversationById(this.d.env, conversationId, this.d.jurisdictions);
    if (!conversation) return fail("conversation_not_found");
    const state = this.d.store.state(agent.team);
    // A message left for the team (an offline ticket) is answered by any agent of the team, by mail.
    const ticket = state.tickets.some((t) => t.conversationId === conversationId) && !state.conversations[conversationId];
    const refused = ticket ? null : checkAssigned(state, agent.id, conversationId);
    const input: AgentPost = { agent: { id: agent.id, name: agent.name }, clientMessageId, refused, ...body };
    const outcome = await conversation.agentMessage(input).catch(() => fail<{ message: Message; duplicate: boolean }>("internal_error"));
    if (!outcome.ok || ticket) return outcome.ok ? ok({ kind: "message", ...outcome.value }) : outcome;
    const held = this.d.store.state(agent.team).conversations[conversationId];
    // A retry after a crash may be the first the desk hears of the reply.
    if (!outcome.value.duplicate || (held && !held.replied)) this.d.apply(agent.team, { type: "agent_replied", agentId: agent.id, conversationId });
    return ok({ kind: "message", ...outcome.value });
  }

  /** Tells the console what came of its frame: an error, or the ack of a message or note. */
  private answer(ws: WebSocket, outcome: Outcome<AgentReply>, clientMessageId: string | undefined): void {
    const { sockets } = this.d;
    if (!outcome.ok) return sockets.send(ws, agentErrorFrame(outcome.code, clientMessageId));
    const reply = outcome.value;
    if (reply.kind === "message") sockets.send(ws, { type: "ack", clientMessageId: clientMessageId!, seq: reply.message.seq, ...(reply.duplicate && { duplicate: true }) });
    if (reply.kind === "note") sockets.send(ws, { type: "ack", clientMessageId: clientMessageId!, seq: reply.note.afterSeq, noteId: reply.note.id, ...(reply.duplicate && { duplicate: true }) });
  }

  /** Appends a console action to the audit log; a failed write is logged without data and does not undo the action. */
  private async audit(agent: AgentAttachment, action: string, target: string, outcome: AuditOutcome): Promise<void> {
    this.auditLog ??= configuredPrimary(readConfig(this.d.env));
    await appendAudit(this.auditLog, { actor: agent.agentId, role: agent.role, action, target, outcome }, Date.now()).catch((err: unknown) => logAuditFailure(action, err));
  }
}

function identityOf(a: AgentAttachment): AgentIdentity {
  return { id: a.agentId, name: a.name, team: a.team, role: a.role };
}

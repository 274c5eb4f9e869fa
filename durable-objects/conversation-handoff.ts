// The ConversationDO's side of the human desk, as glue: it keeps the handoff record, asks
// its team's AgentDeskDO for a person, tells the customer's sockets where that stands, keeps
// the bot silent while an agent has the conversation, stores agents' messages (in turn order,
// once per clientMessageId) and notes, and passes them on to the desk for the agent's
// consoles. Decisions are in src/conversation/handoff.ts; reading it back (agents' views,
// exports) is conversation-handoff-view.ts.
import type { AnswerPipeline } from "../src/answer/pipeline.ts";
import { nextTrend, sentimentOf } from "../src/answer/sentiment.ts";
import {
  afterReply,
  agentReplyByMail,
  applyDeskUpdate,
  botSilent,
  feedbackRefusal,
  initialHandoff,
  leaveMessageRefusal,
  requested,
  requestReason,
  TICKET_FILED,
  withDesk,
  type AgentPost,
  type DeskUpdate,
  type HandoffRecord,
} from "../src/conversation/handoff.ts";
import type { HandoffFrame, OfflineMessageInput, RatingInput, ServerFrame } from "../src/conversation/protocol.ts";
import type { Handover, Turns } from "../src/conversation/turns.ts";
import type { CloseReason, ConversationMeta, Message } from "../src/conversation/types.ts";
import { cameByMail } from "../src/email/answering.ts";
import { withTimeout } from "../src/resilience/breaker.ts";
import { renderTemplate } from "../src/desk/canned.ts";
import { ticketSubject } from "../src/desk/tickets.ts";
import type { HandoffReason, Resolution } from "../src/desk/model.ts";
import type { DeskObserver } from "../src/desk/observer.ts";
import type { AgentServerFrame } from "../src/desk/protocol.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { languageOf } from "../src/kb/text/tokens.ts";
import { messageFacts } from "../src/conversation/message-facts.ts";
import { deskOf } from "../src/platform/desks.ts";
import type { ConversationSockets } from "./conversation-sockets.ts";
import type { ConversationStore } from "./conversation-store.ts";
import type { AgentRef, HandoffStore, Note, StoredRating } from "./conversation-handoff-store.ts";
import { HandoffView, noteWhere } from "./conversation-handoff-view.ts";

export interface HandoffDeps {
  env: Env;
  store: ConversationStore;
  handoffs: HandoffStore;
  sockets: ConversationSockets;
  answerer: AnswerPipeline;
  defaultTeam: string;
  turns(): Turns;
  touched(at: number): void;
  close(reason: CloseReason): void;
  observer(): DeskObserver;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** How long a call to the team's desk may take on a customer's request before it counts as failed. */
const DESK_TIMEOUT_MS = 2_000;

export class ConversationHandoff implements Handover {
  private readonly d: HandoffDeps;
  /** How the human side reads back: agents' views and exports. */
  readonly view: HandoffView;

  constructor(deps: HandoffDeps) {
    this.d = deps;
    this.view = new HandoffView({ store: deps.store, handoffs: deps.handoffs, answerer: deps.answerer, record: () => this.record() });
  }

  record(): HandoffRecord {
    return this.d.handoffs.record(this.d.defaultTeam);
  }

  /** A new conversation remembers the team that takes it. */
  created(team: string | undefined): void {
    this.d.handoffs.save(initialHandoff(team ?? this.d.defaultTeam));
  }

  // ---- Turns (src/conversation/turns.ts) -------------------------------------------------

  async withAgent(message: Message): Promise<boolean> {
    const record = this.record();
    if (!withDesk(record)) return false;
    const trend = nextTrend(this.d.store.dialogue().sentiment, sentimentOf(message.text));
    try {
      // On the turn path: a desk that does not answer in time counts as unreachable.
      const outcome = await withTimeout((async () => await this.desk(record.team).customerMessage(record.team, this.id(), { average: trend.average, last: trend.last }))(), DESK_TIMEOUT_MS, "desk");
      // The desk no longer holds it (an update was lost): the customer is not with anyone.
      if (outcome.ok) this.deskUpdate(outcome.value ?? { team: record.team, revision: record.revision, frame: { type: "handoff", state: "ended" } });
    } catch {
      // The desk cannot be reached: go by what the conversation knows.
    }
    return botSilent(this.record());
  }

  async hold(message: Message): Promise<void> {
    this.d.handoffs.hold(message.seq);
    try {
      await this.d.store.saveMessage(message);
    } catch (err) {
      this.d.handoffs.unhold(message.seq);
      throw err;
    }
    this.stored(message);
    void this.assist(message);
  }

  held(seq: number): boolean {
    return this.d.handoffs.held(seq);
  }

  frame(): HandoffFrame | null {
    return this.record().frame;
  }

  async answered(message: Message, reply: Message): Promise<HandoffFrame | null> {
    const byMail = cameByMail(message);
    const before = this.record();
    const { record, request } = afterReply(before, reply, byMail);
    if (record !== before) this.d.handoffs.save(record);
    if (!request) return null;
    const outcome = await this.request(request);
    // A mail nobody can take now is left for the team, as a chat customer would leave a message
    // (one kept in the queue while no agent is online leaves it: the ticket is its place).
    if (byMail && outcome.ok && (!withDesk(this.record()) || this.record().status === "offline")) await this.fileMail(message);
    return outcome.ok ? outcome.value : null;
  }

  /** Whether agents' messages go to the customer by mail now (README: Email). */
  byMail(): boolean {
    const meta = this.d.store.meta();
    return meta !== null && agentReplyByMail(meta.channel, this.record());
  }

  /** Every frame the turns publish: messages go on to the agent who has the conversation. */
  published(frame: ServerFrame): void {
    if (frame.type === "message" && botSilent(this.record())) this.relay({ type: "message", conversationId: this.id(), message: frame.message });
  }

  // ---- The customer ----------------------------------------------------------------------

  /** Asks the team's desk for a person; resolves with where that stands. */
  async request(given?: HandoffReason): Promise<Outcome<HandoffFrame>> {
    const meta = this.d.store.meta();
    if (!meta) return fail("conversation_not_found");
    if (meta.status === "closed") return fail("conversation_closed");
    const now = Date.now();
    const reason = requestReason(this.record(), given);
    const record = requested(this.record(), reason, now);
    this.d.handoffs.save(record);
    const dialogue = this.d.store.dialogue();
    const event = { type: "enqueue" as const, conversationId: meta.id, reason, language: dialogue.language ?? languageOf(meta.locale), region: meta.region, ...(meta.channel === "email" && { channel: "email" as const }), sentiment: { average: dialogue.sentiment.average, last: dialogue.sentiment.last } };
    let outcome: Outcome<DeskUpdate | null>;
    try {
      outcome = await withTimeout((async () => await this.desk(record.team).request(record.team, event))(), DESK_TIMEOUT_MS, "desk");
    } catch {
      return fail("desk_unavailable");
    }
    if (!outcome.ok) return outcome;
    if (outcome.value) this.deskUpdate(outcome.value);
    const frame = this.record().frame ?? { type: "handoff", state: "offline" };
    const state = frame.state === "assigned" ? "assigned" : frame.state === "queued" ? "queued" : "offline";
    this.d.observer().handoffRequested?.({ conversationId: meta.id, team: this.record().team, reason, outcome: state, ...(frame.position !== undefined && { position: frame.position }), at: now });
    return ok(frame);
  }

  /** The customer is typing: the agent who has the conversation sees it. */
  customerTyping(): void {
    if (botSilent(this.record())) this.relay({ type: "typing", conversationId: this.id() });
  }

  /**
   * A message for the team when no agent can take the conversation: stored in the transcript,
   * filed as a ticket. `limited` counts a new one (not a retry) against the conversation's limit.
   */
  leaveMessage(input: OfflineMessageInput, limited: () => Outcome<never> | null = () => null): Promise<Outcome<{ message: Message; duplicate: boolean; handoff: HandoffFrame }>> {
    return this.d.turns().inOrder(async (seq) => {
      const meta = this.d.store.meta();
      if (!meta) return fail("conversation_not_found");
      const known = this.d.store.seqOfClientMessage(input.clientMessageId);
      if (known !== null) {
        const message = await this.d.store.message(known);
        if (!message || message.text !== input.text) return fail("client_message_id_conflict");
        return ok({ message, duplicate: true, handoff: this.record().frame ?? TICKET_FILED });
      }
      const refusedByLimit = limited();
      if (refusedByLimit) return refusedByLimit;
      if (meta.status === "closed") return fail("conversation_closed");
      const refused = leaveMessageRefusal(this.record());
      if (refused) return fail(refused);
      const filed = await this.fileTicket(meta);
      if (!filed.ok) return filed;
      const at = Date.now();
      const message: Message = { seq, role: "customer", text: input.text, createdAt: iso(at), clientMessageId: input.clientMessageId };
      await this.hold(message);
      this.d.touched(at);
      this.d.sockets.publish({ type: "message", message } satisfies ServerFrame);
      await this.keepTicket(input.email, ticketSubject(input.text), seq, at);
      return ok({ message, duplicate: false, handoff: TICKET_FILED });
    });
  }

  /** Stores the customer's rating (open or closed conversations alike); a later one replaces it. */
  async rate(input: RatingInput): Promise<Outcome<StoredRating>> {
    const meta = this.d.store.meta();
    if (!meta) return fail("conversation_not_found");
    const comment = input.comment === undefined ? undefined : await this.d.store.sealText(input.comment, "rating:comment");
    const rating = this.d.handoffs.rate(input.score, comment, Date.now());
    this.d.observer().rated?.({ conversationId: meta.id, team: this.record().team, score: input.score, ...(input.comment !== undefined && { comment: input.comment }), at: Date.now() });
    return ok(input.comment === undefined ? rating : { ...rating, comment: input.comment });
  }

  /** Marks one of the bot's replies helpful or not; only a new or changed mark is an event (a repeat changes nothing). */
  async feedback(seq: number, helpful: boolean): Promise<Outcome<{ seq: number; helpful: boolean }>> {
    const meta = this.d.store.meta();
    if (!meta) return fail("conversation_not_found");
    const message = await this.d.store.message(seq);
    const refused = feedbackRefusal(message);
    if (refused) return fail(refused);
    if (this.d.handoffs.feedback(seq, helpful, Date.now())) {
      this.d.observer().feedback?.({ conversationId: meta.id, seq, helpful, articleId: message!.meta?.citations?.[0]?.articleId ?? null, at: Date.now() });
    }
    return ok({ seq, helpful });
  }

  /** The conversation closed (customer, idle): the desk lets go of it. */
  closed(): void {
    const record = this.record();
    if (withDesk(record)) void this.desk(record.team).withdraw(record.team, this.id()).catch(() => {});
  }

  /** A socket that just connected learns where the handoff stands. */
  greet(ws: WebSocket, send: (ws: WebSocket, frame: unknown) => void): void {
    const frame = this.record().frame;
    if (frame) send(ws, frame);
  }

  /** Customer-facing messages: agent messages carry the agent's name. */
  forCustomer(messages: Message[]): Message[] {
    return this.d.handoffs.decorate(messages, "customer");
  }

  // ---- The desk --------------------------------------------------------------------------

  /** The desk's word on the conversation; the customer is told when it changed. */
  deskUpdate(update: DeskUpdate): void {
    if (!this.d.store.meta()) return;
    const { record, changed } = applyDeskUpdate(this.record(), update);
    if (record === this.record()) return;
    this.d.handoffs.save(record);
    if (changed) this.d.sockets.publish(update.frame satisfies ServerFrame);
  }

  /** An agent's message, forwarded by the desk: stored once per (agent, clientMessageId), in turn order. */
  agentMessage(post: AgentPost): Promise<Outcome<{ message: Message; duplicate: boolean }>> {
    return this.d.turns().inOrder(async (seq) => {
      const meta = this.d.store.meta();
      if (!meta) return fail("conversation_not_found");
      const known = this.d.handoffs.agentMessageSeq(post.agent.id, post.clientMessageId);
      const stored = known === null ? null : await this.d.store.message(known);
      const text = post.text ?? renderTemplate(post.template ?? "", { customer: { name: meta.customer?.name }, agent: { name: post.agent.name }, conversation: { id: meta.id } });
      if (stored?.role === "agent") {
        if (stored.text !== text) return fail("client_message_id_conflict");
        return ok({ message: this.d.handoffs.decorate([stored], "agent")[0]!, duplicate: true });
      }
      // A mail can be answered after the conversation closed; a chat cannot.
      if (meta.status === "closed" && !this.byMail()) return fail("conversation_closed");
      if (post.refused) return fail(post.refused);
      const at = Date.now();
      const message: Message = { seq, role: "agent", text, createdAt: iso(at) };
      this.d.handoffs.author(seq, post.agent, post.clientMessageId);
      try {
        await this.d.store.saveMessage(message);
      } catch (err) {
        this.d.handoffs.unauthor(seq);
        throw err;
      }
      this.d.touched(at);
      const [forAgent] = this.d.handoffs.decorate([message], "agent");
      this.d.sockets.publish({ type: "message", message: { ...message, agent: { name: post.agent.name } } } satisfies ServerFrame);
      this.relay({ type: "message", conversationId: meta.id, message: forAgent! });
      this.stored(message, post.agent.id);
      this.firstReply(post.agent, at);
      return ok({ message: forAgent!, duplicate: false });
    });
  }

  /** A private note: agents only, never the customer's sockets or transcript. */
  async agentNote(input: { agent: AgentRef; text: string; clientMessageId: string }): Promise<Outcome<{ note: Note; duplicate: boolean }>> {
    const meta = this.d.store.meta();
    if (!meta) return fail("conversation_not_found");
    const sealed = await this.d.store.sealText(input.text, noteWhere(input.agent.id, input.clientMessageId));
    const stored = this.d.handoffs.addNote(input.agent, sealed, input.clientMessageId, this.d.store.nextSeq() - 1, Date.now());
    const result = { ...stored, note: await this.view.openNote(stored.note) };
    const { note } = result;
    if (!result.duplicate) this.relay({ type: "note", conversationId: meta.id, id: note.id, afterSeq: note.afterSeq, text: note.text, agent: { name: note.agent.name }, createdAt: note.createdAt });
    return ok(result);
  }

  agentTyping(name: string): void {
    this.d.sockets.publish({ type: "typing", agent: { name } } satisfies ServerFrame);
  }

  /** The agent closed the conversation with a resolution: it ends for the customer too. */
  agentClosed(resolution: Resolution): void {
    const meta = this.d.store.meta();
    if (!meta || meta.status === "closed") return;
    this.d.handoffs.save({ ...this.record(), status: "ended", resolution });
    this.d.close("closed_by_agent");
  }

  // ---- Inside ----------------------------------------------------------------------------

  /** Files the conversation as an offline ticket at its team's desk. */
  private async fileTicket(meta: ConversationMeta): Promise<Outcome<null>> {
    const record = this.record();
    const language = this.d.store.dialogue().language ?? languageOf(meta.locale);
    try {
      return await this.desk(record.team).leaveMessage(record.team, { conversationId: meta.id, language, ...(meta.channel === "email" && { channel: "email" as const }) });
    } catch {
      return fail("desk_unavailable");
    }
  }

  /** Remembers the filed ticket; the address and the subject are the customer's words, sealed like the transcript. */
  private async keepTicket(address: string, subject: string, seq: number, at: number): Promise<void> {
    const [email, sealedSubject] = await Promise.all([this.d.store.sealText(address, "ticket:email"), this.d.store.sealText(subject, "ticket:subject")]);
    this.tell({ ...this.record(), status: "ended", frame: TICKET_FILED, ticket: { email, seq, subject: sealedSubject, at } });
  }

  /** A mail that no agent can take now becomes a ticket, answered by mail when the team is back. */
  private async fileMail(message: Message): Promise<void> {
    const meta = this.d.store.meta();
    const address = meta?.customer?.email;
    if (!meta || !address) return;
    const filed = await this.fileTicket(meta);
    if (filed.ok) await this.keepTicket(address, meta.subject || ticketSubject(message.text), message.seq, Date.now());
  }

  /** Listeners hear of a message stored outside a bot turn (held for a person, left for the team, an agent's). */
  private stored(message: Message, agentId?: string): void {
    this.d.observer().messageStored?.({ conversationId: this.id(), team: this.record().team, message: messageFacts(message, agentId), at: Date.parse(message.createdAt) });
  }

  private tell(record: HandoffRecord): void {
    const changed = JSON.stringify(record.frame) !== JSON.stringify(this.record().frame);
    this.d.handoffs.save(record);
    if (changed && record.frame) this.d.sockets.publish(record.frame satisfies ServerFrame);
  }

  private firstReply(agent: AgentRef, at: number): void {
    const record = this.record();
    if (record.agentRepliedAt !== null) return;
    this.d.handoffs.save({ ...record, agentRepliedAt: at });
    this.d.observer().agentReplied?.({ conversationId: this.id(), team: record.team, agentId: agent.id, firstResponseMs: record.requestedAt === null ? null : at - record.requestedAt, at });
  }

  /** The bot's suggestions for the customer's latest message, live to the agent. */
  private async assist(message: Message): Promise<void> {
    if (!botSilent(this.record())) return;
    const articles = await this.view.suggest(message);
    if (articles.length) this.relay({ type: "assist", conversationId: this.id(), seq: message.seq, articles });
  }

  private relay(frame: AgentServerFrame): void {
    const record = this.record();
    void this.desk(record.team).relay(record.team, this.id(), frame).catch(() => {});
  }

  private desk(team: string) {
    return deskOf(this.d.env, team);
  }

  private id(): string {
    return this.d.store.meta()?.id ?? "";
  }
}

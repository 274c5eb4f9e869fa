// AgentDeskDO: one per team. Glue only: it stores the desk state of src/desk, applies events
// from conversations, agent consoles and the REST mirrors (agents' actions become events in
// agent-desk-frames.ts), carries out the effects in order, keeps an alarm at the next
// deadline and gives agents whose consoles vanished a grace period; self-repair
// (RegionOpsDO) can requeue the conversations of agents whose consoles are gone.
//
// It never stores transcripts. Messages, notes and typing of a conversation pass through on
// their way between the conversation's own Durable Object (which stores them, in its
// jurisdiction) and the sockets of the agent who has it: transit only, nothing kept here.
import { DurableObject } from "cloudflare:workers";
import { deskMigrations } from "../migrations/desk/index.ts";
import type { AgentIdentity } from "../src/auth/agent-token.ts";
import { readConfig } from "../src/config.ts";
import type { DeskUpdate } from "../src/conversation/handoff.ts";
import { abandonedAgents, type AbandonedAgent } from "../src/desk/abandoned.ts";
import type { CannedLibrary, CannedResponse } from "../src/desk/canned-library.ts";
import { applyDeskEvent, nextDeadline } from "../src/desk/desk.ts";
import { activeConversations, type DeskConfig, type DeskEffect, type DeskEvent, type DeskState, type EnqueueEvent } from "../src/desk/model.ts";
import type { DeskObserver } from "../src/desk/observer.ts";
import { webhookObserver } from "../src/platform/webhook-outbox.ts";
import { AGENT_SUBPROTOCOL, agentErrorFrame, type AgentClientFrame, type AgentServerFrame } from "../src/desk/protocol.ts";
import { handoffFrameOf, queueFrame } from "../src/desk/queue.ts";
import { chosenProtocol, PING, PONG } from "../src/conversation/protocol.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { SerialQueue } from "../src/conversation/serial-queue.ts";
import { AGENT_HEADER, conversationById, deskOf, type AgentReply, type DeskAccess } from "../src/platform/desks.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { CannedStore } from "./agent-desk-canned.ts";
import { DeskFrames } from "./agent-desk-frames.ts";
import { DeskSockets } from "./agent-desk-sockets.ts";
import { DeskStore } from "./agent-desk-store.ts";

export class AgentDeskDO extends DurableObject<Env> {
  private readonly store: DeskStore;
  private readonly canned: CannedStore;
  private readonly sockets: DeskSockets;
  private readonly config: DeskConfig | null;
  private readonly graceMs: number;
  private readonly jurisdictions: boolean;
  /** Calls to other objects, one at a time in effect order, so conversations hear of changes in order. */
  private readonly outbox = new SerialQueue();
  /** Agents whose last console went away, and when: they keep their conversations for the grace period. */
  private readonly dropped = new Map<string, number>();
  private armedAt: number | null = null;
  /** Agents' actions: console frames and their REST mirrors (agent-desk-frames.ts). */
  private readonly frames: DeskFrames;
  /** What the desk raises goes here: the team's webhooks (see src/desk/observer.ts). */
  observer: DeskObserver = webhookObserver(this.env, this.ctx);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, deskMigrations);
    this.store = new DeskStore(ctx.storage.sql);
    this.canned = new CannedStore(ctx.storage.sql);
    this.sockets = new DeskSockets(ctx);
    const config = readConfig(env);
    this.config = config.desk.config.ok ? config.desk.config.config : null;
    this.graceMs = config.desk.reconnectGraceMs;
    this.jurisdictions = config.jurisdictions;
    this.frames = new DeskFrames({
      env,
      jurisdictions: this.jurisdictions,
      store: this.store,
      canned: this.canned,
      sockets: this.sockets,
      apply: (team, event) => this.apply(team, event),
      call: (conversationId, job) => this.call(conversationId, job),
    });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    // After a restart, sockets that did not survive are gone without a close event.
    const now = Date.now();
    for (const agent of Object.values(this.store.existing()?.agents ?? {})) {
      if (agent.sockets > this.sockets.count(agent.agentId)) this.dropped.set(agent.agentId, now);
    }
    if (this.dropped.size) void this.arm(now);
  }

  // ---- From conversations -------------------------------------------------------------

  /** A customer asks for a person: joins the queue (or is offered to leave a message). */
  request(team: string, event: EnqueueEvent): Outcome<DeskUpdate | null> {
    const applied = this.apply(team, event);
    if (!applied.ok) return applied;
    return ok(this.updateFor(team, event.conversationId, applied.value));
  }

  /** A customer wrote while the desk may hold the conversation: the desk's view of it, or null when it holds none. */
  customerMessage(team: string, conversationId: string, sentiment: { average: number; last: number }): Outcome<DeskUpdate | null> {
    const applied = this.apply(team, { type: "customer_message", conversationId, sentiment });
    if (!applied.ok) return applied;
    return ok(this.store.state(team).conversations[conversationId] ? this.updateFor(team, conversationId, applied.value) : null);
  }

  /** The conversation closed, or no longer wants a person. */
  withdraw(team: string, conversationId: string): Outcome<null> {
    const applied = this.apply(team, { type: "withdraw", conversationId });
    return applied.ok ? ok(null) : applied;
  }

  /** Files an offline ticket: it names the conversation, whose own object keeps the address and the message. */
  leaveMessage(team: string, input: { conversationId: string; language: string; channel?: "email" }): Outcome<null> {
    const applied = this.apply(team, { type: "leave_message", ticketId: `t_${crypto.randomUUID()}`, ...input });
    return applied.ok ? ok(null) : applied;
  }

  /** Passes a conversation's frame (a message, a note, typing) to the agent who has it. Transit only: nothing is stored. */
  relay(team: string, conversationId: string, frame: AgentServerFrame): void {
    const c = this.store.state(team).conversations[conversationId];
    if (c?.status === "assigned" && c.agentId) this.sockets.toAgent(c.agentId, frame);
  }

  // ---- From the Worker (REST mirrors) ---------------------------------------------------

  /** The live queue, the team's agents, SLA breaches, open tickets and the canned replies. */
  snapshot(team: string): Outcome<ReturnType<typeof queueFrame> & { tickets: DeskState["tickets"]; canned: readonly CannedResponse[] }> {
    if (!this.config) return fail("server_misconfigured");
    const state = this.store.state(team);
    return ok({ ...queueFrame(state, Date.now(), this.config), tickets: state.tickets, canned: this.canned.library().items });
  }

  // ---- From the Worker (admin) ----------------------------------------------------------

  /** The team's canned responses: its own list, or the built-in one. */
  cannedLibrary(): CannedLibrary {
    return this.canned.library();
  }

  /** Replaces the team's canned responses (checked by the Worker); open consoles get the new list at once. */
  replaceCanned(items: CannedResponse[], revision?: number): Outcome<CannedLibrary> {
    const replaced = this.canned.replace(items, revision);
    if (replaced.ok) this.sockets.toTeam({ type: "canned", items: replaced.value.items });
    return replaced;
  }

  /** Back to the built-in canned responses. */
  resetCanned(): CannedLibrary {
    const library = this.canned.reset();
    this.sockets.toTeam({ type: "canned", items: library.items });
    return library;
  }

  /** Whether an agent may read a conversation: theirs, waiting in the team's queue, with an open ticket, or (admins) any the desk holds. */
  access(agent: AgentIdentity, conversationId: string): DeskAccess {
    const state = this.store.state(agent.team);
    const c = state.conversations[conversationId];
    if (!c) return state.tickets.some((t) => t.conversationId === conversationId) ? "ticket" : null;
    if (c.status === "waiting") return "waiting";
    if (c.agentId === agent.id) return "assigned";
    return agent.role === "admin" ? "team" : null;
  }

  // ---- From self-repair (RegionOpsDO) -----------------------------------------------------

  /** Conversations held by agents the desk counts as connected whose consoles are all gone (past their grace), and how many agents. */
  abandoned(now: number = Date.now()): { agents: number; conversations: number } {
    const held = this.abandonedAgents(now);
    return { agents: held.length, conversations: held.reduce((n, a) => n + a.conversations, 0) };
  }

  /** Self-repair: those agents go offline, their conversations back to the queue; how many conversations were requeued. */
  requeueAbandoned(now: number = Date.now()): number {
    const state = this.store.existing();
    if (!state) return 0;
    let requeued = 0;
    for (const { agentId, conversations } of this.abandonedAgents(now)) {
      this.dropped.delete(agentId);
      if (this.apply(state.team, { type: "disconnect", agentId, sockets: this.sockets.count(agentId) }, now).ok) requeued += conversations;
    }
    return requeued;
  }

  private abandonedAgents(now: number): AbandonedAgent[] {
    const state = this.store.existing();
    return state ? abandonedAgents(state, (id) => this.sockets.count(id), (id) => this.dropped.get(id), this.graceMs, now) : [];
  }

  /** An agent action from the REST mirrors: the same rules as the console's frames. */
  act(agent: AgentIdentity, frame: AgentClientFrame): Promise<Outcome<AgentReply>> {
    return this.frames.handle(agent, frame);
  }

  // ---- Agent consoles -----------------------------------------------------------------

  /** A console's upgrade: the Worker has verified the session and the origin. */
  override async fetch(request: Request): Promise<Response> {
    if (!this.config) return Response.json(agentErrorFrame("server_misconfigured"), { status: 500 });
    const agent = JSON.parse(request.headers.get(AGENT_HEADER) ?? "null") as AgentIdentity | null;
    if (!agent) return Response.json(agentErrorFrame("unauthorized"), { status: 401 });
    const { client, server } = this.sockets.accept({ agentId: agent.id, name: agent.name, team: agent.team, role: agent.role });
    this.dropped.delete(agent.id);
    this.apply(agent.team, { type: "connect", agentId: agent.id, name: agent.name, sockets: this.sockets.count(agent.id) });
    // The new console learns the rest: the queue, tickets, canned replies and its conversations.
    const state = this.store.state(agent.team);
    this.sockets.send(server, queueFrame(state, Date.now(), this.config));
    this.sockets.send(server, { type: "tickets", tickets: state.tickets });
    this.sockets.send(server, { type: "canned", items: this.canned.library().items });
    for (const conversationId of activeConversations(state, agent.id)) this.sockets.send(server, { type: "assigned", conversationId });
    const protocol = chosenProtocol(request.headers.get("sec-websocket-protocol"), AGENT_SUBPROTOCOL);
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { "Sec-WebSocket-Protocol": protocol } : {} });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.frames.message(ws, data);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets.close(ws, code === 1005 || code === 1006 ? 1000 : code, "bye");
    this.gone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.gone(ws);
  }

  override async alarm(): Promise<void> {
    this.armedAt = null;
    await this.runTimers(Date.now());
  }

  /** Reply timeouts, SLA marks, max waits and expired reconnect grace periods due at `now` (the alarm; tests pass a later time). */
  async runTimers(now: number): Promise<void> {
    const state = this.store.existing();
    if (!state) return;
    for (const [agentId, since] of this.dropped) {
      if (since + this.graceMs > now) continue;
      this.dropped.delete(agentId);
      this.apply(state.team, { type: "disconnect", agentId, sockets: this.sockets.count(agentId) }, now);
    }
    this.apply(state.team, { type: "tick" }, now);
    await this.arm(now);
  }

  // ---- Inside ---------------------------------------------------------------------------

  /** The last console of an agent closed: they keep their conversations for the grace period. */
  private gone(ws: WebSocket): void {
    const attachment = this.sockets.attachment(ws);
    if (!attachment) return;
    const remaining = this.sockets.count(attachment.agentId, ws);
    const now = Date.now();
    if (remaining > 0) this.apply(attachment.team, { type: "disconnect", agentId: attachment.agentId, sockets: remaining }, now);
    else {
      this.dropped.set(attachment.agentId, now);
      void this.arm(now);
    }
  }

  /**
   * Applies an event: stores the new state under a new revision, then carries out the
   * effects (socket frames at once, calls to other objects in order through the outbox).
   */
  private apply(team: string, event: DeskEvent, now: number = Date.now()): Outcome<DeskEffect[]> {
    if (!this.config) return fail("server_misconfigured");
    const outcome = applyDeskEvent(this.store.state(team), event, now, this.config);
    if (outcome.error) return fail(outcome.error);
    const revision = this.store.save(outcome.state);
    this.carryOut(outcome.state, outcome.effects, revision, now);
    void this.arm(now);
    return ok(outcome.effects);
  }

  private carryOut(state: DeskState, effects: DeskEffect[], revision: number, now: number): void {
    let queueChanged = false;
    for (const e of effects) {
      switch (e.type) {
        case "assigned":
          this.sockets.toAgent(e.agentId, { type: "assigned", conversationId: e.conversationId });
          this.observer.assigned?.({ conversationId: e.conversationId, team: state.team, agentId: e.agentId, name: state.agents[e.agentId]?.name ?? "", at: now });
          break;
        case "unassigned":
          this.sockets.toAgent(e.agentId, { type: "unassigned", conversationId: e.conversationId, reason: e.reason });
          break;
        case "presence":
          this.sockets.toAgent(e.agentId, { type: "presence", status: e.status, capacity: e.capacity });
          break;
        case "queue_changed":
          queueChanged = true;
          break;
        case "tickets_changed":
          this.sockets.toTeam({ type: "tickets", tickets: state.tickets });
          break;
        case "handoff": {
          const update: DeskUpdate = { team: state.team, revision, frame: e.frame };
          this.call(e.conversationId, (c) => c.deskUpdate(update));
          break;
        }
        case "left_team": {
          const { team, enqueue } = e;
          // The conversation learns its new desk first, so that it asks that desk from now on;
          // the new desk's own update (any revision of that desk) then replaces this one.
          const moving: DeskUpdate = { team, revision: 0, frame: { type: "handoff", state: "queued" } };
          this.call(e.conversationId, (c) => c.deskUpdate(moving));
          this.outboxRun(() => deskOf(this.env, team).request(team, enqueue).then(() => undefined));
          break;
        }
        case "sla_breach":
          this.observer.slaBreached?.({ conversationId: e.conversationId, team: state.team, kind: e.kind, agentId: e.agentId, at: now });
          break;
        case "offer_offline":
          // The customer's handoff frame carries the offer.
          break;
      }
    }
    if (queueChanged && this.config) this.sockets.toTeam(queueFrame(state, now, this.config));
  }

  /** Calls a conversation's object through the outbox (after every call queued before it). */
  private call(conversationId: string, job: (c: NonNullable<ReturnType<typeof conversationById>>) => Promise<unknown>): void {
    const conversation = conversationById(this.env, conversationId, this.jurisdictions);
    if (conversation) this.outboxRun(() => job(conversation).then(() => undefined));
  }

  private outboxRun(job: () => Promise<void>): void {
    void this.outbox.run(job).catch((err: Error) => console.error(JSON.stringify({ level: "warn", code: "desk_call_failed", kind: err.name })));
  }

  /** The update to hand back to a conversation that called: its frame after this event. */
  private updateFor(team: string, conversationId: string, effects: DeskEffect[]): DeskUpdate | null {
    const own = effects.filter((e) => e.type === "handoff" && e.conversationId === conversationId).at(-1);
    const frame = own?.type === "handoff" ? own.frame : handoffFrameOf(this.store.state(team), conversationId);
    return frame ? { team, revision: this.store.revision(), frame } : null;
  }

  /** Keeps the alarm at the earliest deadline: a timer of the desk or the end of a grace period. */
  private async arm(now: number): Promise<void> {
    const state = this.store.existing();
    let next = state && this.config ? nextDeadline(state, this.config) : null;
    for (const since of this.dropped.values()) next = next === null ? since + this.graceMs : Math.min(next, since + this.graceMs);
    if (next === this.armedAt) return;
    this.armedAt = next;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, now + 1));
  }
}

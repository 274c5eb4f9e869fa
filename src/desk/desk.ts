// The desk's transitions: (state, event, now, config) → new state and the effects the
// AgentDeskDO carries out. After every event the desk settles: it assigns what it can, offers
// waiting customers a message when nobody is online (they keep their place for the first
// agent who comes online), and tells customers what changed.
import { isOpen } from "./business-hours.ts";
import { assign, autoAssign, remove, requeue, requeueAllOf, unassignEffect, type DeskDraft } from "./assignment.ts";
import {
  DEFAULT_CAPACITY,
  loadOf,
  MAX_CAPACITY,
  presenceOf,
  waitingInOrder,
  type DeskConfig,
  type DeskErrorCode,
  type DeskEvent,
  type DeskOutcome,
  type DeskState,
  type EnqueueEvent,
} from "./model.ts";
import { handoffFrameOf, handoffFrames, withHandlingSample } from "./queue.ts";
import { advanceSla, slaNextMark, startSla } from "./sla.ts";
import { closeTicket, leaveMessage } from "./tickets.ts";

/** Applies one event. A refused event returns the state unchanged, no effects and `error`. */
export function applyDeskEvent(state: DeskState, event: DeskEvent, now: number, config: DeskConfig): DeskOutcome {
  const d: DeskDraft = { s: structuredClone(state), now, config, effects: [] };
  const error = handle(d, event);
  if (error) return { state, effects: [], error };
  settle(d, state);
  return { state: d.s, effects: d.effects };
}

/** The earliest time `tick` has something to do (reply timeout, SLA mark, max wait), or null. */
export function nextDeadline(state: DeskState, config: DeskConfig): number | null {
  let next: number | null = null;
  const consider = (t: number | null) => {
    if (t !== null && (next === null || t < next)) next = t;
  };
  for (const c of Object.values(state.conversations)) {
    if (c.status === "assigned" && !c.replied && c.assignedAt !== null) consider(c.assignedAt + config.replyTimeoutMs);
    if (c.status === "waiting" && c.offered === null && c.waitingSince !== null) consider(c.waitingSince + config.maxWaitMs);
    consider(slaNextMark(c.sla, config));
  }
  return next;
}

/** Null when `agentId` has the conversation (may message, note, type in it), else why not. */
export function checkAssigned(state: DeskState, agentId: string, conversationId: string): DeskErrorCode | null {
  const c = state.conversations[conversationId];
  if (!c) return "conversation_not_found";
  return c.status === "assigned" && c.agentId === agentId ? null : "conversation_not_assigned";
}

function handle(d: DeskDraft, e: DeskEvent): DeskErrorCode | null {
  switch (e.type) {
    case "enqueue":
      return enqueue(d, e);
    case "withdraw": {
      const c = d.s.conversations[e.conversationId];
      if (c) remove(d, c, "closed", true);
      return null;
    }
    case "connect":
      return connect(d, e.agentId, e.name, e.sockets, e.capacity);
    case "disconnect": {
      const agent = d.s.agents[e.agentId];
      if (!agent) return null;
      const was = presenceOf(agent);
      agent.sockets = Math.max(0, e.sockets);
      if (presenceOf(agent) === "offline") requeueAllOf(d, agent.agentId);
      if (presenceOf(agent) !== was) presenceEffect(d, agent.agentId, "connection");
      return null;
    }
    case "presence": {
      const agent = d.s.agents[e.agentId];
      if (!agent || agent.sockets === 0) return "agent_not_found";
      agent.chosen = e.status;
      if (e.capacity !== undefined) agent.capacity = clampCapacity(e.capacity);
      if (e.status === "offline") requeueAllOf(d, agent.agentId);
      presenceEffect(d, agent.agentId, "agent");
      return null;
    }
    case "claim": {
      const agent = d.s.agents[e.agentId];
      if (!agent || agent.sockets === 0) return "agent_not_found";
      if (presenceOf(agent) === "offline") return "agent_unavailable";
      const c = d.s.conversations[e.conversationId];
      if (!c) return "conversation_not_found";
      if (c.status !== "waiting") return "conversation_not_waiting";
      if (loadOf(d.s, agent.agentId) >= agent.capacity) return "agent_at_capacity";
      assign(d, c, agent);
      return null;
    }
    case "agent_replied": {
      const refused = checkAssigned(d.s, e.agentId, e.conversationId);
      if (refused) return refused;
      const c = d.s.conversations[e.conversationId]!;
      c.replied = true;
      c.firstResponseAt ??= d.now;
      c.sla = null;
      return null;
    }
    case "customer_message": {
      const c = d.s.conversations[e.conversationId];
      if (!c) return null;
      if (e.sentiment) c.sentiment = sentiment(e.sentiment);
      // Before the first answer the first-response clock already runs.
      if (c.firstResponseAt !== null && c.sla === null) c.sla = startSla("next_response", d.now);
      return null;
    }
    case "transfer":
      return transfer(d, e.agentId, e.conversationId, e.to);
    case "release":
    case "close": {
      const refused = checkAssigned(d.s, e.agentId, e.conversationId);
      if (refused) return refused;
      const c = d.s.conversations[e.conversationId]!;
      if (e.type === "close" && e.resolution !== "spam" && c.handledSince !== null) d.s.handlingMs = withHandlingSample(d.s.handlingMs, d.now - c.handledSince);
      remove(d, c, e.type === "close" ? "closed" : "released", true);
      return null;
    }
    case "leave_message":
      return leaveMessage(d, e);
    case "close_ticket":
      return closeTicket(d, e.agentId, e.ticketId);
    case "tick":
      tick(d);
      return null;
  }
}

function enqueue(d: DeskDraft, e: EnqueueEvent): DeskErrorCode | null {
  const existing = d.s.conversations[e.conversationId];
  if (existing) {
    // Asking again changes nothing; the customer is told where they stand.
    const frame = handoffFrameOf(d.s, e.conversationId);
    if (frame) d.effects.push({ type: "handoff", conversationId: e.conversationId, frame });
    return null;
  }
  if (d.config.businessHours && !isOpen(d.config.businessHours, d.now)) {
    // Not queued: nobody will come before the desk opens. The bot keeps answering; the customer may leave a message.
    d.effects.push({ type: "offer_offline", conversationId: e.conversationId, reason: "closed_hours" });
    d.effects.push({ type: "handoff", conversationId: e.conversationId, frame: { type: "handoff", state: "offline", reason: "closed_hours" } });
    return null;
  }
  // Inside business hours with nobody online the customer is queued all the same (settle offers
  // a message meanwhile) and goes to the first agent who comes online. A transfer always fits:
  // an agent moved a conversation they had, and it has nowhere else to go.
  if (!e.transfer && waitingInOrder(d.s).length >= d.config.maxQueueLength) return "queue_full";
  const since = Math.min(e.since ?? d.now, d.now);
  d.s.conversations[e.conversationId] = {
    conversationId: e.conversationId,
    reason: e.reason,
    language: e.language,
    region: e.region,
    ...(e.channel && { channel: e.channel }),
    sentiment: sentiment(e.sentiment ?? { average: 0, last: 0 }),
    since,
    order: ++d.s.counters.enqueued,
    status: "waiting",
    waitingSince: d.now,
    agentId: null,
    assignedAt: null,
    replied: false,
    handledSince: null,
    firstResponseAt: e.responded ? d.now : null,
    sla: e.responded ? null : startSla("first_response", since),
    offered: null,
    told: null,
  };
  return null;
}

function connect(d: DeskDraft, agentId: string, name: string, sockets: number, capacity: number | undefined): null {
  const fresh = { agentId, name, chosen: "online" as const, capacity: clampCapacity(capacity ?? DEFAULT_CAPACITY), sockets: 0, lastAssigned: 0, lastAssignedAt: null };
  const agent = (d.s.agents[agentId] ??= fresh);
  agent.name = name;
  agent.sockets = Math.max(1, sockets);
  // Always echoed: the new socket needs to learn the agent's presence.
  presenceEffect(d, agentId, "connection");
  return null;
}

function transfer(d: DeskDraft, agentId: string, conversationId: string, to: { agentId: string } | { team: string }): DeskErrorCode | null {
  const refused = checkAssigned(d.s, agentId, conversationId);
  if (refused) return refused;
  const c = d.s.conversations[conversationId]!;
  if ("team" in to) {
    if (to.team === d.s.team) return "transfer_invalid";
    const enqueue: EnqueueEvent = { type: "enqueue", conversationId, reason: c.reason, language: c.language, region: c.region, ...(c.channel && { channel: c.channel }), sentiment: c.sentiment, since: c.since, responded: c.firstResponseAt !== null, transfer: true };
    // No `ended` frame: the other team's desk tells the customer where they stand.
    remove(d, c, "transfer", false);
    d.effects.push({ type: "left_team", conversationId, team: to.team, enqueue });
    return null;
  }
  if (to.agentId === agentId) return "transfer_invalid";
  const target = d.s.agents[to.agentId];
  if (!target || target.sockets === 0) return "agent_not_found";
  if (presenceOf(target) !== "online") return "agent_unavailable";
  if (loadOf(d.s, target.agentId) >= target.capacity) return "agent_at_capacity";
  unassignEffect(d, c, "transfer");
  assign(d, c, target);
  return null;
}

/** Reply timeouts, SLA marks and max waits that are due at `now`. */
function tick(d: DeskDraft): void {
  const { s, now, config } = d;
  // SLA first: a breach at the moment of a reply timeout belongs to the agent who had the conversation.
  for (const c of Object.values(s.conversations)) {
    if (!c.sla) continue;
    const { timer, breach } = advanceSla(c.sla, now, config);
    c.sla = timer;
    if (!breach) continue;
    if (timer.kind === "first_response") s.breaches.firstResponse++;
    else s.breaches.nextResponse++;
    d.effects.push({ type: "sla_breach", conversationId: c.conversationId, kind: timer.kind, agentId: c.agentId });
  }
  for (const c of Object.values(s.conversations)) {
    if (c.status !== "assigned" || c.replied || c.assignedAt === null || now < c.assignedAt + config.replyTimeoutMs) continue;
    const agent = c.agentId === null ? undefined : s.agents[c.agentId];
    // An agent who lets a customer wait is not at their desk: no more new conversations until they say so.
    if (agent && agent.chosen === "online") {
      agent.chosen = "away";
      presenceEffect(d, agent.agentId, "reply_timeout");
    }
    requeue(d, c, "timeout");
  }
  for (const c of Object.values(s.conversations)) {
    if (c.status !== "waiting" || c.offered !== null || c.waitingSince === null || now < c.waitingSince + config.maxWaitMs) continue;
    c.offered = "max_wait";
    d.effects.push({ type: "offer_offline", conversationId: c.conversationId, reason: "max_wait" });
  }
}

/** Assignment, offers when nobody is online, customer frames that changed, and whether agents need a new queue. */
function settle(d: DeskDraft, before: DeskState): void {
  autoAssign(d);
  if (!anyoneOnline(d.s)) {
    for (const c of Object.values(d.s.conversations)) {
      if (c.status !== "waiting" || c.offered !== null) continue;
      c.offered = "no_agents";
      d.effects.push({ type: "offer_offline", conversationId: c.conversationId, reason: "no_agents" });
    }
  }
  const frames = handoffFrames(d.s);
  for (const c of Object.values(d.s.conversations)) {
    const frame = frames.get(c.conversationId);
    if (!frame || JSON.stringify(frame) === JSON.stringify(c.told)) continue;
    c.told = frame;
    d.effects.push({ type: "handoff", conversationId: c.conversationId, frame });
  }
  if (queueSignature(before) !== queueSignature(d.s)) d.effects.push({ type: "queue_changed" });
}

/** Everything the agents' queue frame shows, apart from the passing of time. */
function queueSignature(s: DeskState): string {
  return JSON.stringify([
    Object.values(s.conversations).map((c) => [c.conversationId, c.status, c.agentId, c.sentiment, c.sla?.kind, c.sla?.warned, c.sla?.breached]),
    Object.values(s.agents).map((a) => [a.agentId, a.name, presenceOf(a), a.capacity]),
    s.breaches,
  ]);
}

function presenceEffect(d: DeskDraft, agentId: string, cause: "agent" | "connection" | "reply_timeout"): void {
  const agent = d.s.agents[agentId]!;
  d.effects.push({ type: "presence", agentId, status: presenceOf(agent), capacity: agent.capacity, cause });
}

function anyoneOnline(s: DeskState): boolean {
  return Object.values(s.agents).some((a) => presenceOf(a) === "online");
}

function clampCapacity(n: number): number {
  return Math.min(MAX_CAPACITY, Math.max(1, Math.floor(n)));
}

function sentiment(t: { average: number; last: number }): { average: number; last: number } {
  const clamp = (n: number) => (Number.isFinite(n) ? Math.max(-1, Math.min(1, n)) : 0);
  return { average: clamp(t.average), last: clamp(t.last) };
}

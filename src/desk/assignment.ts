// Who gets which conversation: the longest-waiting conversation goes to the least-loaded
// online agent with a free slot, round robin between equally loaded agents; and the moves
// that put a conversation with an agent, back in the queue or out of the desk.
import { loadOf, presenceOf, waitingInOrder, type DeskAgent, type DeskConfig, type DeskConversation, type DeskEffect, type DeskState, type UnassignReason } from "./model.ts";

/** A transition in progress: a private copy of the state, changed in place, and the effects so far. */
export interface DeskDraft {
  s: DeskState;
  now: number;
  config: DeskConfig;
  effects: DeskEffect[];
}

/**
 * The agent the next conversation goes to: online, below capacity, fewest conversations
 * (absolute count, not share of capacity); between equals the one assigned longest ago (or
 * never), which makes equals take turns. Away agents get nothing new.
 */
export function pickAgent(state: DeskState): DeskAgent | null {
  let best: { agent: DeskAgent; load: number } | null = null;
  for (const agent of Object.values(state.agents)) {
    if (presenceOf(agent) !== "online") continue;
    const load = loadOf(state, agent.agentId);
    if (load >= agent.capacity) continue;
    if (!best || load < best.load || (load === best.load && before(agent, best.agent))) best = { agent, load };
  }
  return best?.agent ?? null;
}

function before(a: DeskAgent, b: DeskAgent): boolean {
  return a.lastAssigned < b.lastAssigned || (a.lastAssigned === b.lastAssigned && a.agentId < b.agentId);
}

/** Gives a conversation to an agent; their reply clock starts now. */
export function assign(d: DeskDraft, conversation: DeskConversation, agent: DeskAgent): void {
  conversation.status = "assigned";
  conversation.agentId = agent.agentId;
  conversation.assignedAt = d.now;
  conversation.replied = false;
  conversation.waitingSince = null;
  conversation.offered = null;
  conversation.handledSince ??= d.now;
  agent.lastAssigned = ++d.s.counters.assigned;
  agent.lastAssignedAt = d.now;
  d.effects.push({ type: "assigned", agentId: agent.agentId, conversationId: conversation.conversationId });
}

/** Takes a conversation from its agent; it keeps its place by request time (so it is next in line). */
export function requeue(d: DeskDraft, conversation: DeskConversation, reason: UnassignReason): void {
  unassignEffect(d, conversation, reason);
  conversation.status = "waiting";
  conversation.agentId = null;
  conversation.assignedAt = null;
  conversation.replied = false;
  conversation.waitingSince = d.now;
  conversation.offered = null;
}

/** Tells the agent who had the conversation that it is gone, if one had it. */
export function unassignEffect(d: DeskDraft, conversation: DeskConversation, reason: UnassignReason): void {
  if (conversation.status === "assigned" && conversation.agentId !== null) {
    d.effects.push({ type: "unassigned", agentId: conversation.agentId, conversationId: conversation.conversationId, reason });
  }
}

/** Hands every conversation of an agent who went offline back to the queue. */
export function requeueAllOf(d: DeskDraft, agentId: string): void {
  for (const c of Object.values(d.s.conversations)) if (c.status === "assigned" && c.agentId === agentId) requeue(d, c, "offline");
}

/** Assigns waiting conversations, longest waiting first, while some online agent has room. */
export function autoAssign(d: DeskDraft): void {
  for (const conversation of waitingInOrder(d.s)) {
    const agent = pickAgent(d.s);
    if (!agent) return;
    assign(d, conversation, agent);
  }
}

/** Takes a conversation out of the desk; `tellEnded` sends the customer the `ended` frame. */
export function remove(d: DeskDraft, c: DeskConversation, reason: "closed" | "released" | "transfer", tellEnded: boolean): void {
  unassignEffect(d, c, reason);
  delete d.s.conversations[c.conversationId];
  if (tellEnded) d.effects.push({ type: "handoff", conversationId: c.conversationId, frame: { type: "handoff", state: "ended" } });
}

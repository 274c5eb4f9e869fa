// Agents the desk holds as connected whose consoles are all gone — a console that vanished
// without a close the desk saw, a desk restarted while agents were connected — once any
// reconnect grace of theirs is over: self-repair puts their conversations back in the queue.
import { activeConversations, type DeskState } from "./model.ts";

export interface AbandonedAgent {
  agentId: string;
  /** Conversations assigned to them. */
  conversations: number;
}

/**
 * The abandoned agents of a desk at `now`: `live(agentId)` counts their open sockets,
 * `droppedAt(agentId)` is when their last console went (their grace runs from then).
 */
export function abandonedAgents(state: DeskState, live: (agentId: string) => number, droppedAt: (agentId: string) => number | undefined, graceMs: number, now: number): AbandonedAgent[] {
  return Object.values(state.agents)
    .filter((a) => a.sockets > 0 && live(a.agentId) === 0 && (droppedAt(a.agentId) ?? -Infinity) + graceMs <= now)
    .map((a) => ({ agentId: a.agentId, conversations: activeConversations(state, a.agentId).length }));
}

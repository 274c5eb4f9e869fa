// Agent desks: one AgentDeskDO per team, by name. A desk holds queue entries and presence,
// never transcripts, so where it runs does not matter for a conversation's jurisdiction;
// transcripts are read from each conversation's own object (conversationById).
import type { AgentDeskDO } from "../../durable-objects/agent-desk.ts";
import type { Note } from "../../durable-objects/conversation-handoff-store.ts";
import type { Message } from "../conversation/types.ts";
import { AppError } from "../errors.ts";
import { conversationAt, conversationStub, type ConversationStub } from "./conversations.ts";

export type DeskStub = DurableObjectStub<AgentDeskDO>;

/** The header the Worker passes the verified agent in when it forwards a console's upgrade to the desk. */
export const AGENT_HEADER = "x-holdfast-agent";

/** What an agent action gave: nothing to report, a stored message or a stored note. */
export type AgentReply = { kind: "done" } | { kind: "message"; message: Message; duplicate: boolean } | { kind: "note"; note: Note; duplicate: boolean };

/** How a desk sees a conversation an agent asks to read: theirs, waiting, with an open ticket, held by a colleague (admins only), or not at all. */
export type DeskAccess = "assigned" | "waiting" | "ticket" | "team" | null;

/** What a route says when a desk does not answer. */
export function deskUnavailable(): never {
  throw new AppError("desk_unavailable");
}

/** The desk of a team. */
export function deskOf(env: Env, team: string): DeskStub {
  return env.AGENT_DESK.get(env.AGENT_DESK.idFromName(team));
}

/** The stub of an existing conversation by id, or null when the id is not one of ours. */
export function conversationById(env: Env, id: string, enforceJurisdictions: boolean): ConversationStub | null {
  const address = conversationAt(env.CONVERSATION, id, enforceJurisdictions);
  return address ? conversationStub(env, address) : null;
}

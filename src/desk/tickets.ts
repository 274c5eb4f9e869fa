// Offline tickets: a message left while no agent could take the conversation, kept until an
// agent has answered it by email. A ticket says which conversation; the address and the
// message stay in the conversation's own object, never in the desk. The subject an agent is
// shown is cut from the message there (ticketSubject).
import { remove, type DeskDraft } from "./assignment.ts";
import type { DeskErrorCode, DeskEvent } from "./model.ts";

/** Longest ticket subject, in characters. */
export const SUBJECT_MAX = 80;

/** A ticket's subject: the message's first non-empty line, whitespace collapsed, at most SUBJECT_MAX characters. */
export function ticketSubject(text: string): string {
  const line = text.split(/\r?\n/).map((l) => l.replace(/\s+/g, " ").trim()).find(Boolean) ?? "";
  const chars = [...line];
  return chars.length <= SUBJECT_MAX ? line : `${chars.slice(0, SUBJECT_MAX - 1).join("").trimEnd()}…`;
}

/**
 * Files a ticket, once per conversation (a second message changes nothing); a waiting
 * conversation leaves the queue. Refused while an agent has the conversation, and once the
 * team holds `maxOpenTickets` open ones.
 */
export function leaveMessage(d: DeskDraft, e: Extract<DeskEvent, { type: "leave_message" }>): DeskErrorCode | null {
  const c = d.s.conversations[e.conversationId];
  if (c?.status === "assigned") return "conversation_assigned";
  if (d.s.tickets.some((t) => t.conversationId === e.conversationId)) return null;
  if (d.s.tickets.length >= d.config.maxOpenTickets) return "too_many_tickets";
  d.s.tickets.push({ ticketId: e.ticketId, conversationId: e.conversationId, language: e.language, ...(e.channel && { channel: e.channel }), createdAt: d.now });
  if (c) remove(d, c, "closed", true);
  d.effects.push({ type: "tickets_changed" });
  return null;
}

/** An agent marks a ticket dealt with. */
export function closeTicket(d: DeskDraft, agentId: string, ticketId: string): DeskErrorCode | null {
  const agent = d.s.agents[agentId];
  if (!agent || agent.sockets === 0) return "agent_not_found";
  const before = d.s.tickets.length;
  d.s.tickets = d.s.tickets.filter((t) => t.ticketId !== ticketId);
  if (d.s.tickets.length === before) return "ticket_not_found";
  d.effects.push({ type: "tickets_changed" });
  return null;
}

// What the audit log records of an agent console's frames: the same actions, under the same
// names, as the REST mirrors record (src/http/routes/agent.ts), so a supervisor reading the
// log sees one trail whichever way an agent worked. Typing is not an action; nothing else
// is left out. Targets are ids, never text.
import { statusOf, type Outcome } from "../errors.ts";
import type { AuditOutcome } from "../privacy/audit-chain.ts";
import type { AgentClientFrame } from "./protocol.ts";

export interface DeskAuditRecord {
  action: string;
  target: string;
}

/** The audit record a console frame calls for; null for typing. */
export function auditOfFrame(frame: AgentClientFrame, agentId: string): DeskAuditRecord | null {
  switch (frame.type) {
    case "typing":
      return null;
    case "presence":
      return { action: "agent.presence", target: agentId };
    case "close_ticket":
      return { action: "agent.ticket.close", target: frame.ticketId };
    case "message":
    case "canned":
      return { action: "agent.conversation.messages", target: frame.conversationId };
    case "note":
      return { action: "agent.conversation.notes", target: frame.conversationId };
    default:
      return { action: `agent.conversation.${frame.type}`, target: frame.conversationId };
  }
}

/** ok, denied (refused: a 4xx code) or failed (a 5xx code), as the REST mirrors record them. */
export function auditOutcomeOf(outcome: Outcome<unknown>): AuditOutcome {
  if (outcome.ok) return "ok";
  return statusOf(outcome.code) < 500 ? "denied" : "failed";
}

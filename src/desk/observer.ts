// The hook point for what the human desk tells ops: handoffs, agent replies, SLA breaches,
// ratings and feedback. The desk and the conversations call an observer; nothing here emits
// anything. Ops events are wired in by passing a real observer (see src/ops/events.ts).

export interface DeskObserver {
  /** A conversation joined a queue (`queued`) or could not (`offline`). */
  handoffRequested?(e: { conversationId: string; team: string; reason: string; outcome: "queued" | "assigned" | "offline"; at: number }): void;
  /** An agent's message was stored; `firstResponseMs` on the first one after a request for a person. */
  agentReplied?(e: { conversationId: string; team: string; agentId: string; firstResponseMs: number | null; at: number }): void;
  /** A conversation's SLA clock passed its target. */
  slaBreached?(e: { conversationId: string; team: string; kind: "first_response" | "next_response"; agentId: string | null; at: number }): void;
  /** The customer rated the conversation. */
  rated?(e: { conversationId: string; team: string; score: number; at: number }): void;
  /** The customer marked a reply helpful or not. */
  feedback?(e: { conversationId: string; seq: number; helpful: boolean; articleId: string | null; at: number }): void;
}

/** Observes nothing: the default until ops wires its own. */
export const NO_OBSERVER: DeskObserver = {};

// The hook point for what a conversation and the human desk tell others: ops events
// (src/ops/events.ts) and outbound webhooks (src/webhooks/). A conversation's lifecycle,
// handoffs, assignments, agent replies, SLA breaches, ratings and feedback are raised here;
// nothing here emits anything. Listeners are wired in by passing a real observer, several
// at once with bothObservers.

/** A stored message as listeners see it: who, when, what it answered; its text for the listeners that may keep it. */
export interface StoredMessageFacts {
  seq: number;
  role: string;
  text: string;
  createdAt: string;
  replyTo?: number;
  /** An agent's message: who wrote it. */
  agentId?: string;
  /** The bot's reply: its decision and the articles it cited. */
  decision?: string;
  articles?: Array<{ articleId: string; title: string }>;
}

export interface DeskObserver {
  /** A conversation was created. `verified`: its customer's id was signed by the host site. */
  conversationCreated?(e: { conversationId: string; team: string; locale: string; region: string; channel: string; verified: boolean; at: number }): void;
  /** A message was stored: the customer's, the bot's or an agent's. */
  messageStored?(e: { conversationId: string; team: string; message: StoredMessageFacts; at: number }): void;
  /** A conversation joined a queue (`queued`), went straight to an agent, or could not (`offline`). */
  handoffRequested?(e: { conversationId: string; team: string; reason: string; outcome: "queued" | "assigned" | "offline"; position?: number; at: number }): void;
  /** The desk gave a conversation to an agent. */
  assigned?(e: { conversationId: string; team: string; agentId: string; name: string; at: number }): void;
  /** An agent's message was stored; `firstResponseMs` on the first one after a request for a person. */
  agentReplied?(e: { conversationId: string; team: string; agentId: string; firstResponseMs: number | null; at: number }): void;
  /** A conversation's SLA clock passed its target. */
  slaBreached?(e: { conversationId: string; team: string; kind: "first_response" | "next_response"; agentId: string | null; at: number }): void;
  /** The conversation closed: why, and the agent's resolution if an agent closed it. */
  closed?(e: { conversationId: string; team: string; reason: string; resolution: string | null; at: number }): void;
  /** The customer rated the conversation (`comment` is their words: only for listeners that may keep text). */
  rated?(e: { conversationId: string; team: string; score: number; comment?: string; at: number }): void;
  /** The customer marked a reply helpful or not. */
  feedback?(e: { conversationId: string; seq: number; helpful: boolean; articleId: string | null; at: number }): void;
}

/** Observes nothing: the default until ops wires its own. */
export const NO_OBSERVER: DeskObserver = {};

type Hook = keyof DeskObserver;
const HOOKS: Hook[] = ["conversationCreated", "messageStored", "handoffRequested", "assigned", "agentReplied", "slaBreached", "closed", "rated", "feedback"];

/** One observer that tells each of `observers` in turn; one that throws does not keep the others from hearing. */
export function bothObservers(...observers: DeskObserver[]): DeskObserver {
  const out: Record<string, (e: never) => void> = {};
  for (const hook of HOOKS) {
    const listeners = observers.map((o) => o[hook] as ((e: never) => void) | undefined).filter((f) => f !== undefined);
    if (!listeners.length) continue;
    out[hook] = (e) => {
      for (const listen of listeners) {
        try {
          listen(e);
        } catch {
          // Listeners are best effort: a turn never fails for one.
        }
      }
    };
  }
  return out as DeskObserver;
}

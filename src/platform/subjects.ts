// The subject index's Durable Objects: one per verified customer, by subject key; and the
// listener that keeps a verified customer's history there as their conversation changes.
import type { SubjectIndexDO } from "../../durable-objects/subject-index.ts";
import type { HistoryNote } from "../conversation/history.ts";
import type { DeskObserver } from "../desk/observer.ts";
import type { Waiter } from "./events.ts";

export function subjectIndex(env: Env, subject: string): DurableObjectStub<SubjectIndexDO> {
  return env.SUBJECTS.get(env.SUBJECTS.idFromName(subject));
}

/**
 * Tells the customer's subject index what changed in a conversation's history: a person asked
 * for, the close (why, and the agent's resolution), the rating, the articles the bot's answers
 * cited. Nothing for a conversation without a verified customer (`subject()` null). In the
 * background, never awaited by a turn; a lost note leaves that detail out of the history.
 */
export function historyObserver(env: Env, waiter: Waiter, subject: () => string | null): DeskObserver {
  const note = (conversationId: string, n: HistoryNote, at: number) => {
    const key = subject();
    if (key) waiter.waitUntil(subjectIndex(env, key).note(conversationId, n, at).catch(() => {}));
  };
  return {
    messageStored: ({ conversationId, message: m, at }) => {
      if (m.role === "assistant" && m.decision === "answer" && m.articles?.length) note(conversationId, { articles: m.articles }, at);
    },
    handoffRequested: (e) => note(e.conversationId, { handedOff: true }, e.at),
    closed: (e) => note(e.conversationId, { status: e.reason as NonNullable<HistoryNote["status"]>, ...(e.resolution !== null && { resolution: e.resolution }) }, e.at),
    rated: (e) => note(e.conversationId, { rating: e.score }, e.at),
  };
}

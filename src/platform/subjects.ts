// The subject index's Durable Objects: one per verified customer, by subject key, listing
// all their conversations (for export and erasure); and where their history is kept. An EU
// conversation's history (how it ended, its rating, the articles given) is derived from it,
// so it is kept in the customer's index in the `eu` jurisdiction, where jurisdictions are
// enforced; the main index keeps the other conversations'.
import type { SubjectConversation, SubjectIndexDO } from "../../durable-objects/subject-index.ts";
import { parseConversationId } from "../conversation/address.ts";
import { mergedHistory, type HistoryEntry, type HistoryNote } from "../conversation/history.ts";
import { readConfig } from "../config.ts";
import type { DeskObserver } from "../desk/observer.ts";
import type { Jurisdiction } from "../edge/region.ts";
import { withTimeout } from "../resilience/breaker.ts";
import type { Waiter } from "./events.ts";

type SubjectStub = DurableObjectStub<SubjectIndexDO>;

/** The customer's main index: every conversation of theirs, for export and erasure. */
export function subjectIndex(env: Env, subject: string): SubjectStub {
  return env.SUBJECTS.get(env.SUBJECTS.idFromName(subject));
}

/** The index that keeps the history of the customer's conversations in `jurisdiction`. */
function historyIndex(env: Env, subject: string, jurisdiction: Jurisdiction | null): SubjectStub {
  if (jurisdiction !== "eu" || !readConfig(env).jurisdictions) return subjectIndex(env, subject);
  const ns = env.SUBJECTS.jurisdiction("eu") as DurableObjectNamespace<SubjectIndexDO>;
  return ns.get(ns.idFromName(subject));
}

/** Every index a customer has: the main one, and the EU one where jurisdictions are enforced. */
export function subjectIndexes(env: Env, subject: string): SubjectStub[] {
  return readConfig(env).jurisdictions ? [subjectIndex(env, subject), historyIndex(env, subject, "eu")] : [subjectIndex(env, subject)];
}

/** Indexes a new conversation: in the main index, and (an EU one) in the index that keeps its history. */
export async function indexConversation(env: Env, subject: string, entry: SubjectConversation): Promise<void> {
  await subjectIndex(env, subject).add(entry);
  if (entry.jurisdiction === "eu" && readConfig(env).jurisdictions) await historyIndex(env, subject, "eu").add(entry);
}

const isEu = (id: string) => parseConversationId(id)?.jurisdiction === "eu";

/**
 * A verified customer's conversations other than `except`, newest first: the EU ones' from
 * the EU index, the others' from the main one. An index that does not answer within
 * `timeoutMs` leaves its conversations out.
 */
export async function customerHistory(env: Env, subject: string, except: string, timeoutMs: number): Promise<HistoryEntry[]> {
  const read = (stub: SubjectStub) => withTimeout(stub.history(except), timeoutMs, "subject index").catch((): HistoryEntry[] => []);
  if (!readConfig(env).jurisdictions) return read(subjectIndex(env, subject));
  const [main, eu] = await Promise.all([read(subjectIndex(env, subject)), read(historyIndex(env, subject, "eu"))]);
  return mergedHistory(main, eu, isEu);
}

/**
 * Tells the customer's index what changed in a conversation's history: a person asked for,
 * the close (why, and the agent's resolution), the rating, the articles the bot's answers
 * cited. Nothing for a conversation without a verified customer (`subject()` null). In the
 * background, never awaited by a turn; a lost note leaves that detail out of the history.
 */
export function historyObserver(env: Env, waiter: Waiter, subject: () => string | null): DeskObserver {
  const note = (conversationId: string, n: HistoryNote, at: number) => {
    const key = subject();
    const jurisdiction = parseConversationId(conversationId)?.jurisdiction ?? null;
    if (key) waiter.waitUntil(historyIndex(env, key, jurisdiction).note(conversationId, n, at).catch(() => {}));
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

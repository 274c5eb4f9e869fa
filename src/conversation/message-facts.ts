// A stored message as listeners of a conversation see it (src/desk/observer.ts): who wrote
// it, when, what it answered, the bot's decision and cited articles, and its text for the
// listeners allowed to keep it.
import type { StoredMessageFacts } from "../desk/observer.ts";
import type { Message } from "./types.ts";

export function messageFacts(m: Message, agentId?: string): StoredMessageFacts {
  const facts: StoredMessageFacts = { seq: m.seq, role: m.role, text: m.text, createdAt: m.createdAt };
  if (m.replyTo !== undefined) facts.replyTo = m.replyTo;
  const agent = agentId ?? m.agent?.id;
  if (agent !== undefined) facts.agentId = agent;
  if (m.meta?.decision) facts.decision = m.meta.decision;
  if (m.meta?.citations?.length) facts.articles = m.meta.citations.map((c) => ({ articleId: c.articleId, title: c.title }));
  return facts;
}

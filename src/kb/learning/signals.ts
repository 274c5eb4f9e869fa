// What a conversation's events say about its questions: a pick of a suggested article, a
// helpful or not-helpful mark, an agent naming an article. Pure: the ConversationDO looks up
// the messages and hands them in; the decision names the customer question (by seq) the
// vote is about, or why there is none.
import type { Choice, Message } from "../../conversation/types.ts";
import type { VoteSource } from "./learned.ts";

export type SignalDecision =
  | { kind: "vote"; questionSeq: number; articleId: string; locale: string; source: VoteSource }
  | { kind: "ignored"; reason: "not_offered" | "no_question" | "no_article" };

/** The question a bot reply answered or clarified: the customer message it replies to. */
function questionOf(reply: Message): number | null {
  return reply.role === "assistant" && reply.replyTo ? reply.replyTo : null;
}

/** A customer picked a suggested article: it counts only if that reply offered it. */
export function pickSignal(reply: Message | null, choice: Choice): SignalDecision {
  const offered = reply?.role === "assistant" && (reply.meta?.suggestions ?? []).some((s) => s.articleId === choice.articleId);
  if (!reply || !offered) return { kind: "ignored", reason: "not_offered" };
  const questionSeq = questionOf(reply);
  if (questionSeq === null) return { kind: "ignored", reason: "no_question" };
  return { kind: "vote", questionSeq, articleId: choice.articleId, locale: reply.meta?.locale ?? "en", source: "pick" };
}

/** A customer marked an answer helpful or not: a vote on the article it cited, for the question it answered. */
export function feedbackSignal(reply: Message | null, helpful: boolean): SignalDecision {
  const articleId = reply?.meta?.decision === "answer" || reply?.meta?.decision === "offer_handoff" ? reply.meta.citations?.[0]?.articleId : undefined;
  if (!reply || !articleId) return { kind: "ignored", reason: "no_article" };
  const questionSeq = questionOf(reply);
  if (questionSeq === null) return { kind: "ignored", reason: "no_question" };
  return { kind: "vote", questionSeq, articleId, locale: reply.meta?.locale ?? "en", source: helpful ? "helpful" : "not_helpful" };
}

/**
 * An agent named the article that answers the conversation (inserting a suggested article,
 * or closing with it): a vote for the customer's last question the bot could not answer
 * well, else their last question the bot replied to at all.
 */
export function agentSignal(messages: Message[], articleId: string, locale: string): SignalDecision {
  const replies = messages.filter((m) => m.role === "assistant" && m.replyTo && m.meta?.decision !== "smalltalk");
  const unsure = replies.filter((m) => m.meta?.decision !== "answer" && !(m.meta?.decision === "offer_handoff" && m.meta.handoff?.reason === "requested"));
  const reply = unsure.at(-1) ?? replies.at(-1);
  if (!reply?.replyTo) return { kind: "ignored", reason: "no_question" };
  return { kind: "vote", questionSeq: reply.replyTo, articleId, locale: reply.meta?.locale ?? locale, source: "agent" };
}

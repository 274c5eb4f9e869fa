// Which customer question a pick, a mark or an agent's word is a vote about.
import { describe, expect, it } from "vitest";
import type { Message, ReplyMeta } from "../../src/conversation/types.ts";
import { agentSignal, feedbackSignal, pickSignal } from "../../src/kb/learning/signals.ts";

const at = "2025-01-01T00:00:00.000Z";
const customer = (seq: number, text = "where is it"): Message => ({ seq, role: "customer", text, createdAt: at });
const reply = (seq: number, replyTo: number, meta: Partial<ReplyMeta>): Message => ({ seq, role: "assistant", text: "…", createdAt: at, replyTo, meta: { mode: "normal", answerer: "kb", locale: "en", ...meta } });
const clarify = reply(2, 1, { decision: "clarify", suggestions: [{ articleId: "en:track", title: "Track" }, { articleId: "en:refund", title: "Refund" }] });
const answer = reply(4, 3, { decision: "answer", citations: [{ articleId: "en:track", title: "Track", kbVersion: 1 }] });

describe("a customer's pick", () => {
  it.each([
    ["a suggestion of that reply", clarify, { articleId: "en:refund", inReplyTo: 2 }, { kind: "vote", questionSeq: 1, articleId: "en:refund", source: "pick" }],
    ["an article the reply did not offer", clarify, { articleId: "en:other", inReplyTo: 2 }, { kind: "ignored", reason: "not_offered" }],
    ["an answer's citation (not offered as a choice)", answer, { articleId: "en:track", inReplyTo: 4 }, { kind: "ignored", reason: "not_offered" }],
    ["a customer message", customer(1), { articleId: "en:track", inReplyTo: 1 }, { kind: "ignored", reason: "not_offered" }],
    ["no message at all", null, { articleId: "en:track", inReplyTo: 9 }, { kind: "ignored", reason: "not_offered" }],
  ] as const)("of %s", (_name, message, choice, expected) => {
    expect(pickSignal(message, choice)).toMatchObject(expected);
  });
});

describe("a helpful or not-helpful mark", () => {
  it("votes on the article the answer cited, for the question it answered", () => {
    expect(feedbackSignal(answer, true)).toMatchObject({ kind: "vote", questionSeq: 3, articleId: "en:track", source: "helpful" });
    expect(feedbackSignal(answer, false)).toMatchObject({ kind: "vote", source: "not_helpful" });
  });
  it("is no vote on a clarification or a reply without an article", () => {
    expect(feedbackSignal(clarify, true)).toEqual({ kind: "ignored", reason: "no_article" });
    expect(feedbackSignal(null, true)).toEqual({ kind: "ignored", reason: "no_article" });
  });
});

describe("an agent naming an article", () => {
  const human = reply(6, 5, { decision: "offer_handoff", handoff: { reason: "requested" } });
  it("votes for the last question the bot could not settle, not the request for a person", () => {
    expect(agentSignal([customer(1), clarify, customer(3), answer, customer(5, "a human please"), human], "en:refund", "en")).toMatchObject({ kind: "vote", questionSeq: 1, articleId: "en:refund", source: "agent" });
  });
  it("else the last question the bot answered, and nothing without one", () => {
    expect(agentSignal([customer(3), answer], "en:track", "en")).toMatchObject({ kind: "vote", questionSeq: 3 });
    expect(agentSignal([customer(1)], "en:track", "en")).toEqual({ kind: "ignored", reason: "no_question" });
  });
});

import { describe, expect, it } from "vitest";
import type { Answer, Answerer } from "../../src/answer/answerer.ts";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { afterReply, agentReplyByMail, botReplyByMail, initialHandoff } from "../../src/conversation/handoff.ts";
import type { Message, ReplyMeta } from "../../src/conversation/types.ts";
import { MailAwareAnswerer } from "../../src/email/answering.ts";
import { afterFailure, MAX_ATTEMPTS } from "../../src/email/outbox.ts";
import { composeMail, OUTBOX_HEADER, replySubject, type MailThread } from "../../src/email/outgoing.ts";

const thread = (over: Partial<MailThread> = {}): MailThread => ({
  conversationId: "c1",
  to: { address: "ana@customer.example", name: "Ana" },
  from: { address: "support@holdfast.test", name: "Holdfast Support" },
  replyTo: "reply+abcdefghijklmnopqrstuvwx@holdfast.test",
  subject: "Refund",
  language: "en",
  inReplyTo: "<c1@customer.example>",
  references: ["<c1@customer.example>"],
  attachments: [],
  ...over,
});
const answer: Message = { seq: 2, role: "assistant", text: "Refunds take 5 days.", createdAt: "2026-12-07T10:00:00.000Z", replyTo: 1, meta: { mode: "normal", answerer: "kb", locale: "en", decision: "answer", citations: [{ articleId: "a1", title: "Refund time", kbVersion: 3 }] } };
const agentReply: Message = { seq: 5, role: "agent", text: "I have refunded it.", createdAt: "2026-12-07T10:00:00.000Z", agent: { name: "Kim" } };

describe("a reply by mail", () => {
  it("answers the thread with Re:, In-Reply-To, References, Reply-To and the article's source", () => {
    const mail = composeMail(thread(), answer);
    expect(mail).toMatchObject({ subject: "Re: Refund", replyTo: "reply+abcdefghijklmnopqrstuvwx@holdfast.test", to: { email: "ana@customer.example", name: "Ana" }, from: { email: "support@holdfast.test", name: "Holdfast Support" } });
    expect(mail.headers).toMatchObject({ "In-Reply-To": "<c1@customer.example>", References: "<c1@customer.example>", "Auto-Submitted": "auto-replied", [OUTBOX_HEADER]: "c1/2", "Content-Language": "en" });
    expect(mail.text).toContain("Refunds take 5 days.\n\nSource: Refund time");
  });

  it("from an agent is signed with the agent's name and is not marked automatic", () => {
    const mail = composeMail(thread(), agentReply);
    expect(mail.text).toContain("I have refunded it.\n\nKim, Holdfast Support");
    expect(mail.headers["Auto-Submitted"]).toBeUndefined();
  });

  it("is in the conversation's language, and tells of attachments we did not keep", () => {
    const mail = composeMail(thread({ language: "zh", subject: "", attachments: [{ name: "发票.pdf", size: 123_456 }] }), answer);
    expect(mail.subject).toBe("Re: 您的来信");
    expect(mail.text).toContain("来源：Refund time");
    expect(mail.text).toContain("发票.pdf (121 KB)");
    expect(mail.headers["Content-Language"]).toBe("zh-CN");
  });

  it("keeps one Re: in the subject", () => {
    expect(replySubject("Re: Refund", "en")).toBe("Re: Refund");
    expect(replySubject("RE: Refund", "en")).toBe("RE: Refund");
    expect(replySubject("回复：退款", "zh")).toBe("回复：退款");
    expect(replySubject("Refund", "en")).toBe("Re: Refund");
  });

  it("starting a thread (a ticket answered by mail) names no parent", () => {
    const mail = composeMail(thread({ inReplyTo: null, references: [] }), agentReply);
    expect(mail.headers["In-Reply-To"]).toBeUndefined();
    expect(mail.headers.References).toBeUndefined();
  });
});

describe("the outbox's retries", () => {
  it("back off from 5 s, doubling to an hour, and give up after a day of tries", () => {
    expect(afterFailure(1, 0)).toEqual({ kind: "retry", at: 5_000 });
    expect(afterFailure(2, 0)).toEqual({ kind: "retry", at: 10_000 });
    expect(afterFailure(20, 0)).toEqual({ kind: "retry", at: 3_600_000 });
    expect(afterFailure(MAX_ATTEMPTS, 0)).toEqual({ kind: "give_up" });
  });
});

describe("the bot on a mail", () => {
  const meta = (decision: ReplyMeta["decision"], extra: Partial<ReplyMeta> = {}): ReplyMeta => ({ mode: "normal", answerer: "policy", locale: "en", decision, ...extra });
  const inner = (m: ReplyMeta): Answerer => ({ answer: async (): Promise<Answer> => ({ text: "Did you mean one of these?", meta: m }) });
  const ask = (clientMessageId: string) => ({ message: { seq: 1, role: "customer" as const, text: "hm", createdAt: "", clientMessageId }, locale: "en", state: INITIAL_DIALOGUE });

  it("answers an answer as it is", async () => {
    const a = await new MailAwareAnswerer(inner(meta("answer"))).answer(ask("email-abc123456"));
    expect(a.text).toBe("Did you mean one of these?");
  });

  it("never asks 'Did you mean…?' by mail: the team will reply", async () => {
    const a = await new MailAwareAnswerer(inner(meta("clarify", { suggestions: [{ articleId: "a", title: "A" }] }))).answer(ask("email-abc123456"));
    expect(a.text).toContain("passed it to our support team");
    expect(a.meta.decision).toBe("clarify");
    expect(a.meta.suggestions).toBeUndefined();
  });

  it("leaves chat messages alone", async () => {
    const a = await new MailAwareAnswerer(inner(meta("clarify"))).answer(ask("web-abc123456"));
    expect(a.text).toBe("Did you mean one of these?");
  });

  it("sends to the team's queue with the reason what it did not answer", () => {
    const reply = (m: ReplyMeta): Message => ({ seq: 2, role: "assistant", text: "", createdAt: "", replyTo: 1, meta: m });
    const none = initialHandoff("support");
    expect(afterReply(none, reply(meta("clarify")), true).request).toBe("no_answer");
    expect(afterReply(none, reply(meta("out_of_scope")), true).request).toBe("no_answer");
    expect(afterReply(none, reply(meta("offer_handoff", { handoff: { reason: "negative_sentiment" } })), true).request).toBe("negative_sentiment");
    expect(afterReply(none, reply(meta("answer")), true).request).toBeNull();
    expect(afterReply({ ...none, status: "queued" }, reply(meta("clarify")), true).request).toBeNull();
    // In a chat a clarification asks for nothing.
    expect(afterReply(none, reply(meta("clarify"))).request).toBeNull();
  });

  it("mails the note that the team will reply once, and every answer", () => {
    const reply = (m: ReplyMeta): Message => ({ seq: 2, role: "assistant", text: "", createdAt: "", replyTo: 1, meta: m });
    expect(botReplyByMail(reply(meta("clarify")), initialHandoff("support"))).toBe(true);
    expect(botReplyByMail(reply(meta("clarify")), { ...initialHandoff("support"), status: "queued" })).toBe(false);
    expect(botReplyByMail(reply(meta("answer")), { ...initialHandoff("support"), status: "queued" })).toBe(true);
  });

  it("mails agents' messages in email conversations and to left messages, not in live chats", () => {
    const ticket = { email: "sealed", seq: 3, subject: "sealed", at: 1 };
    expect(agentReplyByMail("email", initialHandoff("support"))).toBe(true);
    expect(agentReplyByMail("web", initialHandoff("support"))).toBe(false);
    expect(agentReplyByMail("web", { ...initialHandoff("support"), status: "ended", ticket })).toBe(true);
    expect(agentReplyByMail("web", { ...initialHandoff("support"), status: "assigned", ticket })).toBe(false);
  });
});

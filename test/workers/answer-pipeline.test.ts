// Conversations answered from the demo KB by the real pipeline: the ConversationDO asks its
// region's KnowledgeReplicaDO, which synced the demo KB from the primary and trained on it.
import { beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../src/conversation/types.ts";
import { call, cid, createConversation, send, type Created, warmReplica } from "./helpers.ts";

beforeAll(() => warmReplica("weur"));

let n = 0;
async function ask(conv: Created, text: string): Promise<Message> {
  const res = await send(conv, text, cid(`p${n++}`));
  expect(res.status).toBe(200);
  return (await res.json<{ reply: Message }>()).reply;
}

describe("answers from the knowledge base", () => {
  it("answers an English question with the article, its title and KB version as citation", async () => {
    const conv = await createConversation({ locale: "en" });
    const reply = await ask(conv, "How long does it take to get my money back after a return?");
    expect(reply.meta).toMatchObject({ decision: "answer", answerer: "kb", locale: "en", mode: "normal" });
    expect(reply.meta?.citations?.[0]).toMatchObject({ articleId: "en:refund-time", title: "How long does a refund take?" });
    expect(reply.meta?.citations?.[0]?.kbVersion).toBeGreaterThan(0);
    expect(reply.text).toContain("3 business days");
  });

  it("answers a Chinese question in Chinese, from a question sharing few characters with the title", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    const reply = await ask(conv, "钱什么时候能退回到我的卡上？");
    expect(reply.meta?.citations?.[0]?.articleId).toBe("zh-CN:refund-time");
    expect(reply.meta?.locale).toBe("zh-CN");
    expect(reply.text).toContain("工作日");
  });

  it("replies in the customer's language when it differs from the conversation's", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    const reply = await ask(conv, "How do I reset my password?");
    expect(reply.meta).toMatchObject({ locale: "en", citations: [{ articleId: "en:reset-password" }] });
  });

  it("matches Traditional Chinese to the Simplified articles", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    const reply = await ask(conv, "如何查詢訂單物流？");
    expect(reply.meta?.citations?.[0]?.articleId).toBe("zh-CN:track-order");
  });
});

describe("a new user's first questions (issue #10)", () => {
  it("answers an article's own example question with that article", async () => {
    const conv = await createConversation({ locale: "en" });
    const reply = await ask(conv, "where is my order?");
    expect(reply.meta).toMatchObject({ decision: "answer", citations: [{ articleId: "en:track-order" }] });
  });

  it.each([
    ["我想取消订单", "zh-CN", "zh-CN:cancel-order"],
    ["怎么退货", "zh-CN", "zh-CN:start-a-return"],
    ["how do I send something back", "en", "en:return-policy"],
  ])("answers %s, or asks which article was meant with the right one offered, never 'only help with'", async (text, locale, articleId) => {
    const conv = await createConversation({ locale });
    const reply = await ask(conv, text);
    expect(["answer", "clarify"]).toContain(reply.meta?.decision);
    expect([reply.meta?.citations?.[0]?.articleId, ...(reply.meta?.suggestions ?? []).map((s) => s.articleId)]).toContain(articleId);
    expect(reply.text).not.toMatch(/only help with|只能解答/);
  });

  it.each(["what's the weather tomorrow", "asdf qwer"])("does not answer nonsense or off-topic questions with an article: %s", async (text) => {
    const conv = await createConversation({ locale: "en" });
    const reply = await ask(conv, text);
    expect(reply.meta?.decision).not.toBe("answer");
  });

  it("asks 'Did you mean…?' with the choices as quick replies, and choosing one answers it", async () => {
    const conv = await createConversation({ locale: "en" });
    // Refunds and returns are several articles each: the question names no one of them.
    const reply = await ask(conv, "refund or return?");
    expect(reply.meta?.decision).toBe("clarify");
    expect(reply.text).toMatch(/^Did you mean/);
    const choice = reply.meta!.suggestions![0]!;
    const chosen = await ask(conv, choice.title);
    expect(chosen.meta).toMatchObject({ decision: "answer", citations: [{ articleId: choice.articleId }] });
  });
});

describe("multi-turn", () => {
  it("follows up in English: after shipping times, 'what about refunds?' asks how long refunds take", async () => {
    const conv = await createConversation({ locale: "en" });
    expect((await ask(conv, "How long does shipping take?")).meta?.citations?.[0]?.articleId).toBe("en:shipping-times");
    const follow = await ask(conv, "what about refunds?");
    expect(follow.meta?.decision).not.toBe("out_of_scope");
    expect(follow.meta?.citations?.[0]?.articleId ?? follow.meta?.suggestions?.[0]?.articleId).toBe("en:refund-time");
  });

  it("follows up in Chinese: after 配送需要多长时间, 那退款呢 asks how long refunds take", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    expect((await ask(conv, "配送需要多长时间？")).meta?.citations?.[0]?.articleId).toBe("zh-CN:shipping-times");
    const follow = await ask(conv, "那退款呢？");
    expect(follow.meta?.citations?.[0]?.articleId ?? follow.meta?.suggestions?.[0]?.articleId).toBe("zh-CN:refund-time");
  });
});

describe("handoff and small talk", () => {
  it.each([
    ["I want to talk to a real person", "en"],
    ["请帮我转人工客服", "zh-CN"],
  ])("offers a person on request: %s", async (text, locale) => {
    const conv = await createConversation({ locale });
    const reply = await ask(conv, text);
    expect(reply.meta).toMatchObject({ decision: "offer_handoff", handoff: { reason: "requested" } });
  });

  it("offers a person when the conversation turns negative", async () => {
    const conv = await createConversation({ locale: "en" });
    await ask(conv, "My parcel is late and the tracking is not updating, this is annoying");
    const reply = await ask(conv, "This is ridiculous, terrible service, I am really frustrated");
    expect(reply.meta).toMatchObject({ decision: "offer_handoff", handoff: { reason: "negative_sentiment" } });
  });

  it("offers a person in Chinese when the customer is angry", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    const reply = await ask(conv, "太差了！！退款到现在还没到，我要投诉！");
    expect(reply.meta).toMatchObject({ decision: "offer_handoff", handoff: { reason: "negative_sentiment" }, locale: "zh-CN" });
  });

  it("greets back in the customer's language", async () => {
    const conv = await createConversation({ locale: "en" });
    expect(await ask(conv, "Hello!")).toMatchObject({ text: "Hello! How can I help you today?", meta: { decision: "smalltalk" } });
    expect((await ask(conv, "谢谢")).text).toContain("不客气");
  });

  it("says plainly what it cannot help with", async () => {
    const conv = await createConversation({ locale: "en" });
    const reply = await ask(conv, "Who painted the Sistine Chapel?");
    expect(reply.meta?.decision).toBe("out_of_scope");
    expect(reply.text).toContain("I can only help with");
  });
});

describe("the chat's first screen", () => {
  it.each([
    ["en", /^Hi!/, /[a-z]/],
    ["zh-CN", /^您好/, /[\u4e00-\u9fff]/],
  ])("greets in %s and offers popular topics of the KB in that language", async (locale, greeting, script) => {
    const res = await call(`/v1/topics?locale=${locale}`);
    expect(res.status).toBe(200);
    const body = await res.json<{ greeting: string; topics: Array<{ articleId: string; title: string }> }>();
    expect(body.greeting).toMatch(greeting);
    expect(body.topics.length).toBeGreaterThanOrEqual(3);
    for (const t of body.topics) expect(t.title).toMatch(script);
  });

  it("refuses a malformed locale", async () => {
    expect((await call("/v1/topics?locale=%3Cscript%3E")).status).toBe(400);
  });
});

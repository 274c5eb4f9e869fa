import { describe, expect, it } from "vitest";
import { followUpQuery, followUpTopic } from "../../src/answer/follow-up.ts";
import { detectLanguage } from "../../src/answer/language.ts";
import { understandMessage } from "../../src/answer/message-kind.ts";
import { isNegative, nextTrend, NEUTRAL, sentimentOf } from "../../src/answer/sentiment.ts";

describe("language detection", () => {
  it.each([
    ["Where is my order?", "en", true],
    ["我的订单在哪里？", "zh", true],
    ["我的訂單在哪裡？", "zh", true],
    ["iPhone 保修多久", "zh", true],
    ["¿Dónde está mi pedido?", "es", true],
    ["Où est ma commande ?", "fr", true],
    ["Wo ist meine Bestellung?", "de", true],
    ["注文はどこですか", "ja", true],
    ["주문이 어디 있나요", "ko", true],
    ["Где мой заказ?", "ru", true],
    ["ok", "en", false],
  ])("%s → %s", (text, language, confident) => {
    expect(detectLanguage(text)).toEqual({ language, confident });
  });

  it("has nothing to say about text without letters", () => {
    expect(detectLanguage("??? 123")).toBeNull();
  });
});

describe("message kinds", () => {
  it.each([
    ["Hello!", "greeting", ""],
    ["您好", "greeting", ""],
    ["Thanks a lot!", "thanks", ""],
    ["谢谢", "thanks", ""],
    ["bye", "goodbye", ""],
    ["再见", "goodbye", ""],
    ["Can I talk to a human?", "human", "Can I talk to a human?"],
    ["我要转人工", "human", "我要转人工"],
    ["are you a bot?", "chitchat", "are you a bot?"],
    ["你是机器人吗", "chitchat", "你是机器人吗"],
    ["Hi, where is my order?", "question", "where is my order?"],
    ["你好，我的退款到了吗", "question", "我的退款到了吗"],
    ["How long does shipping take?", "question", "How long does shipping take?"],
  ])("%s → %s", (text, kind, question) => {
    expect(understandMessage(text)).toMatchObject({ kind, question });
  });

  it("notices complaints alongside the question", () => {
    expect(understandMessage("This is ridiculous, where is my refund?")).toMatchObject({ kind: "question", complaint: true });
    expect(understandMessage("太差了，退款到现在还没到")).toMatchObject({ kind: "question", complaint: true });
  });
});

describe("sentiment", () => {
  it.each([
    ["Thanks, that was really helpful!", (s: number) => s > 0.3],
    ["Where is my order?", (s: number) => s === 0],
    ["This is terrible, worst service ever", (s: number) => s < -0.6],
    ["I'm not happy at all", (s: number) => s < 0],
    ["太好了，谢谢！", (s: number) => s > 0.3],
    ["太差了，我要投诉！！", (s: number) => s < -0.6],
    ["不满意", (s: number) => s < 0],
  ])("scores %s", (text, check) => {
    expect(check(sentimentOf(text))).toBe(true);
  });

  it("turns negative over two unhappy messages, or at once for a very angry one", () => {
    const once = nextTrend(NEUTRAL, sentimentOf("still waiting, annoying"));
    expect(isNegative(once)).toBe(false);
    expect(isNegative(nextTrend(once, sentimentOf("this is frustrating and disappointing")))).toBe(true);
    expect(isNegative(nextTrend(NEUTRAL, sentimentOf("This is absolutely terrible, worst company ever!!")))).toBe(true);
  });

  it("recovers when the customer is happy again", () => {
    const angry = nextTrend(nextTrend(NEUTRAL, -0.8), -0.6);
    expect(isNegative(angry)).toBe(true);
    expect(isNegative(nextTrend(nextTrend(angry, 0.8), 0.6))).toBe(false);
  });
});

describe("follow-ups", () => {
  it.each([
    ["what about refunds?", "refunds"],
    ["And for express shipping?", "express shipping"],
    ["how about exchanges", "exchanges"],
    ["那退款呢？", "退款"],
    ["退货呢", "退货"],
    ["那么运费？", "运费"],
    ["returns as well?!", "returns"],
    ["what about  ?", null],
    ["Where is my order?", null],
    ["我的包裹在哪里", null],
  ])("%s → %s", (text, topic) => {
    expect(followUpTopic(text)).toBe(topic);
  });

  it("searches the new topic in the context of the previous question", () => {
    expect(followUpQuery("refunds", "How long does shipping take?")).toContain("How long does shipping take?");
  });
});

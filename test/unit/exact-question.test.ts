// The exact-question guarantee on the demo KB: an article's example question or title, or
// a trivially different form of one, is always answered with that article.
import { beforeAll, describe, expect, it } from "vitest";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { planReply } from "../../src/answer/plan.ts";
import { exactIndex, exactKey } from "../../src/kb/exact-match.ts";
import { toTraditional } from "../../src/kb/text/hanzi.ts";
import type { KbPort } from "../../src/answer/plan.ts";
import type { SearchHit } from "../../src/kb/search.ts";
import { demoKb } from "../support/demo-engine.ts";

const fullWidth = (text: string) => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, "\u3000");
const VARIANTS: Array<[string, (text: string) => string]> = [
  ["as written", (t) => t],
  ["in lower case", (t) => t.toLowerCase()],
  ["in upper case", (t) => t.toUpperCase()],
  ["without punctuation", (t) => t.replace(/[\p{P}]/gu, "")],
  ["with other punctuation", (t) => `${t.replace(/[?？。.!！]+$/u, "")}?!`],
  ["in full-width characters", fullWidth],
  ["with extra spaces", (t) => `  ${t.replace(/ /g, "   ")}  `],
  ["in Traditional characters", toTraditional],
];

let kb: KbPort;
let hits: SearchHit[];
beforeAll(async () => ({ kb, hits } = await demoKb()));

describe("exact question keys", () => {
  it.each([
    ["Where is my order?", "where is my order"],
    ["ＷＨＥＲＥ　ＩＳ　ＭＹ　ＯＲＤＥＲ？", "where is my order"],
    ["Can't sign in anymore", "cant sign in anymore"],
    ["App 打不开", "app打不开"],
    ["我的訂單在哪裡？", "我的订单在哪里"],
    ["?!", ""],
  ])("%s → %s", (text, key) => {
    expect(exactKey(text)).toBe(key);
  });

  it("leaves a question two articles share to neither", () => {
    const index = exactIndex([
      { id: "a", title: "Refunds", questions: ["Where is my money?"] },
      { id: "b", title: "Payments", questions: ["where is my money"] },
    ]);
    expect(index.get("where is my money")).toBeUndefined();
    expect(index.get("refunds")).toBe("a");
  });
});

describe("an article's own question or title is always answered with that article", () => {
  it.each(VARIANTS)("every example question and title of the demo KB, %s", async (_name, variant) => {
    const wrong: string[] = [];
    for (const hit of hits) {
      for (const text of [hit.title, ...hit.questions]) {
        const plan = await planReply(variant(text), hit.locale, INITIAL_DIALOGUE, kb);
        const d = plan.decision;
        const article = d.type === "answer" || d.type === "offer_handoff" ? d.article : null;
        if (article?.id !== hit.id) wrong.push(`${variant(text)} → ${d.type} ${article?.id ?? ""}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers the issue's example: 'where is my order?' with track-order, not a list of other order articles", async () => {
    const plan = await planReply("where is my order?", "en", INITIAL_DIALOGUE, kb);
    expect(plan.decision).toMatchObject({ type: "answer", article: { id: "en:track-order" }, confidence: 1 });
  });

  it("answers a title sent as a quick reply even when it reads like a follow-up", async () => {
    const first = await planReply("快递好几天没动了", "zh-CN", INITIAL_DIALOGUE, kb);
    const plan = await planReply("急用怎么办", "zh-CN", first.state, kb);
    expect(plan.decision).toMatchObject({ type: "answer", article: { id: "zh-CN:express-delivery" } });
    expect(plan.state.lastQuestion).toBe("急用怎么办");
  });

  it("answers with the same article again when the customer repeats its question, follow-up or not", async () => {
    const first = await planReply("急用怎么办", "zh-CN", INITIAL_DIALOGUE, kb);
    const again = await planReply("急用怎么办", "zh-CN", first.state, kb);
    expect(first.decision).toMatchObject({ type: "answer", article: { id: "zh-CN:express-delivery" } });
    expect(again.decision).toMatchObject({ type: "answer", article: { id: "zh-CN:express-delivery" } });
  });
});

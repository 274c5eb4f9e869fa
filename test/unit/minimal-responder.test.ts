import { describe, expect, it } from "vitest";
import { MinimalResponder } from "../../src/answer/minimal-responder.ts";
import type { Message } from "../../src/conversation/types.ts";

const message = (text: string, seq = 1): Message => ({ seq, role: "customer", text, createdAt: "2026-11-23T00:00:00.000Z" });

describe("minimal responder", () => {
  const responder = new MinimalResponder();

  it("greets in English and says plainly it cannot answer yet", async () => {
    const answer = await responder.answer({ message: message("Where is my order?"), locale: "en", history: [] });
    expect(answer.text).toMatch(/^Hello!/);
    expect(answer.text).toContain("can't answer questions yet");
    expect(answer.meta).toEqual({ mode: "normal", answerer: "minimal", locale: "en" });
  });

  it("answers Chinese text in Chinese, whatever the conversation locale", async () => {
    const answer = await responder.answer({ message: message("我的订单在哪里？"), locale: "en", history: [] });
    expect(answer.text).toContain("您好");
    expect(answer.meta.locale).toBe("zh-CN");
  });

  it("greets only once per conversation", async () => {
    const history = [message("hi"), { ...message("Hello!", 2), role: "assistant" as const }];
    const answer = await responder.answer({ message: message("and now?", 3), locale: "en", history });
    expect(answer.text).not.toMatch(/^Hello!/);
  });
});

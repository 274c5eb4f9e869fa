// MinimalResponder: the placeholder answerer used until the knowledge base is connected.
// It greets in the customer's language and says plainly that it cannot answer yet.
import type { Answer, Answerer, AnswerRequest } from "./answerer.ts";
import { guessLocale, isChinese } from "./language.ts";

const TEXT = {
  en: {
    greet: "Hello! I'm the Holdfast assistant.",
    cannot: "I can't answer questions yet: the knowledge base is not connected. A human agent will be able to help soon.",
  },
  zh: {
    greet: "您好！我是 Holdfast 智能助手。",
    cannot: "我暂时还无法回答问题：知识库尚未接入。稍后人工客服可以为您提供帮助。",
  },
} as const;

export class MinimalResponder implements Answerer {
  async answer(request: AnswerRequest): Promise<Answer> {
    const locale = guessLocale(request.message.text, request.locale);
    const t = isChinese(locale) ? TEXT.zh : TEXT.en;
    const first = !request.history.some((m) => m.role !== "customer");
    const text = first ? `${t.greet} ${t.cannot}` : t.cannot;
    return { text, meta: { mode: "normal", answerer: "minimal", locale } };
  }
}

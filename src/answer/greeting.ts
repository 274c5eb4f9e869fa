// The first screen of a chat: a greeting in the page's language and a few popular topics
// from the KB as quick replies, as common support widgets open.
import { languageOf } from "../kb/text/tokens.ts";

const GREETING = {
  en: "Hi! I'm the support assistant. Ask me anything, or pick a topic:",
  zh: "您好！我是客服助手。请直接提问，或选择一个常见问题：",
} as const;

/** The greeting for a locale (English unless the locale is Chinese). */
export function greetingFor(locale: string): string {
  return languageOf(locale) === "zh" ? GREETING.zh : GREETING.en;
}

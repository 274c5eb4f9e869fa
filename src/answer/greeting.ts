// The first screen of a chat: a greeting in the page's language and a few popular topics
// from the KB as quick replies, as common support widgets open; and for a returning verified
// customer whose last conversation was left open, a short mention of it with a quick reply
// that goes straight to the queue.
import type { ReturningKind } from "../conversation/history.ts";
import { languageOf } from "../kb/text/tokens.ts";

const GREETING = {
  en: "Hi! I'm the support assistant. Ask me anything, or pick a topic:",
  zh: "您好！我是客服助手。请直接提问，或选择一个常见问题：",
} as const;

const RETURNING = {
  en: {
    handed_off: "Welcome back! Last time you asked to talk to our team. Shall a person pick it up from there?",
    unresolved: "Welcome back! It looks like your last question was not fully solved. Shall a person help you with it?",
    quickReply: "Talk to a person",
  },
  zh: {
    handed_off: "欢迎回来！您上次联系过人工客服，需要由人工客服继续为您处理吗？",
    unresolved: "欢迎回来！您上次的问题似乎还没有完全解决，需要人工客服帮您处理吗？",
    quickReply: "转人工客服",
  },
} as const;

/** The greeting for a locale (English unless the locale is Chinese). */
export function greetingFor(locale: string): string {
  return languageOf(locale) === "zh" ? GREETING.zh : GREETING.en;
}

/** What a returning customer is told, and the quick reply that asks for a person (`action: "handoff"`). */
export interface ReturningGreeting {
  kind: ReturningKind;
  /** When the conversation it mentions last changed. */
  at: string;
  text: string;
  quickReply: { label: string; action: "handoff" };
}

/** The mention of a returning customer's last conversation, in the page's language. */
export function returningGreeting(locale: string, mention: { kind: ReturningKind; at: string }): ReturningGreeting {
  const words = languageOf(locale) === "zh" ? RETURNING.zh : RETURNING.en;
  return { kind: mention.kind, at: mention.at, text: words[mention.kind], quickReply: { label: words.quickReply, action: "handoff" } };
}

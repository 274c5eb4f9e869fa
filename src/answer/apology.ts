// The last-resort reply when nothing else can answer: honest, localised, and offering a
// human. Used when the answerer fails so the customer is never left without a reply.
import type { Answer } from "./answerer.ts";

const TEXT = {
  en: "Sorry, I can't answer that right now. Would you like me to connect you with a member of our support team?",
  zh: "抱歉，我现在无法回答这个问题。需要为您转接人工客服吗？",
} as const;

/** An apology in the locale's language, marked degraded with the reason. */
export function apology(locale: string, reason: string, since: Date): Answer {
  const zh = locale.toLowerCase().startsWith("zh");
  return {
    text: zh ? TEXT.zh : TEXT.en,
    meta: { mode: "degraded", answerer: "apology", locale: zh ? "zh-CN" : "en", degraded: { reason, since: since.toISOString(), kbVersion: null, staleSeconds: null } },
  };
}

// The words of a reply, for each kind of decision, in English and Simplified Chinese.
// Answers are the KB article's own text; everything else is written here. A clarification
// asks "Did you mean…?" over the suggested articles, which also come as quick replies; the
// "I can only help with…" apology is only for what the policy judged off-topic.
import type { Candidate } from "../kb/retrieval.ts";
import type { Decision, HandoffReason } from "./policy.ts";

const TEXT = {
  en: {
    clarify: "Did you mean one of these?",
    handoff: {
      requested: "Of course. I'll let our support team know you'd like to talk to a person; an agent will join this chat as soon as one is free.",
      negative_sentiment: "I'm sorry this has been frustrating. Would you like me to bring in a member of our support team?",
      repeated_failures: "I'm having trouble finding the right answer. Would you like to talk to a member of our support team?",
    } satisfies Record<HandoffReason, string>,
    orTry: "Or one of these may help:",
    related: "If your question is about one of these, select it:",
    outOfScope: "Sorry, I can only help with questions about orders, shipping, returns, refunds, payments, your account and our products. Could you rephrase, or ask to talk to a person?",
    greeting: "Hello! How can I help you today?",
    thanks: "You're welcome! Is there anything else I can help with?",
    goodbye: "Thanks for chatting with us. Goodbye!",
    chitchat: "I'm the support assistant, a bot that answers from our help articles. Ask me about orders, shipping, returns, payments or your account, or ask for a person at any time.",
  },
  zh: {
    clarify: "您是想问以下哪个问题？",
    handoff: {
      requested: "好的，我会通知客服团队您需要人工服务，客服人员空闲后会立即加入对话。",
      negative_sentiment: "很抱歉给您带来不好的体验。需要为您转接人工客服吗？",
      repeated_failures: "抱歉，我没能找到准确的答案。需要为您转接人工客服吗？",
    } satisfies Record<HandoffReason, string>,
    orTry: "或者以下内容可能对您有帮助：",
    related: "如果您想问的是以下内容，请点选：",
    outOfScope: "抱歉，我只能解答订单、配送、退换货、退款、支付、账户和商品相关的问题。您可以换个说法，或要求转接人工客服。",
    greeting: "您好！请问有什么可以帮您？",
    thanks: "不客气！还有其他可以帮您的吗？",
    goodbye: "感谢您的咨询，再见！",
    chitchat: "我是智能客服助手，根据帮助文章为您解答问题。您可以咨询订单、配送、退换货、支付或账户相关问题，也可以随时要求转接人工客服。",
  },
};

const list = (items: Candidate[]) => items.map((c) => `• ${c.title}`).join("\n");

/** The reply's text for a decision, in the reply language (English unless Chinese). */
export function replyText(decision: Decision, language: string): string {
  const t = language === "zh" ? TEXT.zh : TEXT.en;
  switch (decision.type) {
    case "answer":
      return decision.article.answer;
    case "clarify":
      return `${t.clarify}\n${list(decision.suggestions)}`;
    case "offer_handoff": {
      const parts = [decision.article?.answer, t.handoff[decision.reason]];
      if (decision.suggestions.length) parts.push(`${t.orTry}\n${list(decision.suggestions)}`);
      return parts.filter(Boolean).join("\n\n");
    }
    case "out_of_scope":
      return decision.related.length ? `${t.outOfScope}\n\n${t.related}\n${list(decision.related)}` : t.outOfScope;
    case "smalltalk":
      return t[decision.kind];
  }
}

// One turn's plan: understand the message, look in the KB, decide. The same function runs
// in the ConversationDO and in `npm run eval`, so what the eval measures is what customers get.
import type { Retrieval, RetrievalOptions } from "../kb/retrieval.ts";
import { languageOf } from "../kb/text/tokens.ts";
import { assess, DEFAULT_CALIBRATION, type Calibration } from "./confidence.ts";
import type { DialogueState } from "./dialogue.ts";
import { followUpQuery, followUpTopic } from "./follow-up.ts";
import { detectLanguage } from "./language.ts";
import { understandMessage } from "./message-kind.ts";
import { decide, DEFAULT_POLICY, leftUnanswered, marginOf, policyFor, type Decision, type PolicyConfig } from "./policy.ts";
import { isNegative, nextTrend, sentimentOf } from "./sentiment.ts";

/** The knowledge base as the answer pipeline sees it (the region's replica). */
export interface KbPort {
  retrieve(query: string, options: RetrievalOptions): Promise<Retrieval>;
}

export interface PlanConfig {
  policy: PolicyConfig;
  calibration: Calibration;
}

export const DEFAULT_PLAN_CONFIG: PlanConfig = { policy: DEFAULT_POLICY, calibration: DEFAULT_CALIBRATION };

export interface Plan {
  decision: Decision;
  /** The language to reply in. */
  language: string;
  retrieval: Retrieval;
  /** P(the first candidate answers the question). */
  confidence: number;
  /** P(the question is one the KB covers). */
  inScope: number;
  /** What was searched for: the question, or a follow-up with its context. */
  query: string;
  state: DialogueState;
}

/**
 * The language to answer in: what the customer wrote in when that is clear (or nothing
 * else is known), else what the conversation has been in, else its locale's.
 */
export function replyLanguage(text: string, state: DialogueState, conversationLocale: string): string {
  const detected = detectLanguage(text);
  return detected && (detected.confident || !state.language) ? detected.language : (state.language ?? languageOf(conversationLocale));
}

export async function planReply(text: string, conversationLocale: string, state: DialogueState, kb: KbPort, config: PlanConfig = DEFAULT_PLAN_CONFIG): Promise<Plan> {
  const understood = understandMessage(text);
  const language = replyLanguage(text, state, conversationLocale);
  const sentiment = nextTrend(state.sentiment, sentimentOf(text));

  // Everything is looked up: a KB may hold its own answer to "who are you?", and a request
  // for a person still deserves the article on how to reach one.
  const asked = understood.question || text;
  const topic = understood.kind === "question" && state.lastQuestion ? followUpTopic(asked) : null;
  const query = topic ? followUpQuery(topic, state.lastQuestion!) : asked;
  const exclude = topic && state.lastArticleId ? [state.lastArticleId] : [];
  const retrieval = await kb.retrieve(query, { language, fallbackLanguage: languageOf(conversationLocale), exclude, limit: 5, asked });
  const { confidence, inScope } = assess(retrieval, config.calibration);
  // An article's own question or title is never a follow-up, even when it reads like one.
  const followUp = topic !== null && !retrieval.exact;

  const decision = decide(
    {
      kind: understood.kind,
      negativeSentiment: isNegative(sentiment),
      failedAnswers: state.failedAnswers,
      handoffOffered: state.handoff === "offered",
      candidates: retrieval.candidates,
      confidence,
      inScope,
      margin: marginOf(retrieval),
    },
    policyFor(retrieval, config.policy),
  );

  const answered = decision.type === "answer" ? decision.article : decision.type === "offer_handoff" ? decision.article : null;
  const next: DialogueState = {
    language,
    sentiment,
    failedAnswers: understood.kind !== "question" ? state.failedAnswers : leftUnanswered(decision) ? state.failedAnswers + 1 : 0,
    // A follow-up keeps the question it follows, so "and exchanges?" can come next.
    lastQuestion: understood.kind === "question" && !followUp ? understood.question : state.lastQuestion,
    lastArticleId: answered?.id ?? (understood.kind === "question" ? null : state.lastArticleId),
    recentKinds: [...state.recentKinds, understood.kind].slice(-5),
    handoff: decision.type === "offer_handoff" ? "offered" : state.handoff,
  };
  return { decision, language: retrieval.language, retrieval, confidence, inScope, query: followUp ? query : asked, state: next };
}

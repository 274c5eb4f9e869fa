// The policy: given what the customer said, how the conversation is going and what the KB
// offers, decide what kind of reply to give. A pure function returning a decision; the
// pipeline turns decisions into words.
import type { Candidate, Retrieval } from "../kb/retrieval.ts";
import type { MessageKind } from "./message-kind.ts";

export interface PolicyConfig {
  /** Answer outright at or above this confidence. */
  answerAt: number;
  /** Below answerAt, with the question this likely in scope: offer the best candidates to choose from. */
  clarifyAt: number;
  /** After this many unanswered questions in a row, offer a human. */
  maxFailedAnswers: number;
  /** How many suggestions a clarification offers. */
  suggestions: number;
  /** Never answer when the best two candidates' decision values are closer than this (0: no such rule). */
  minMargin?: number;
  /** Thresholds set at run time (answer settings): they win over the KB's fitted ones. */
  override?: { answerAt?: number; clarifyAt?: number };
}

/**
 * Thresholds for a language the replica has not tuned: full-text search alone (a single
 * article, or too many for a classifier). A tuned KB brings its own with every retrieval,
 * fitted on its example questions (src/kb/model/tuning.ts).
 */
export const DEFAULT_POLICY: PolicyConfig = { answerAt: 0.75, clarifyAt: 0.6, maxFailedAnswers: 2, suggestions: 3 };

/** The policy with the KB's own fitted thresholds, when the retrieval brings them. */
export function policyFor(retrieval: Pick<Retrieval, "tuning">, config: PolicyConfig = DEFAULT_POLICY): PolicyConfig {
  const tuning = retrieval.tuning;
  const fitted = tuning ? { ...config, answerAt: tuning.answerAt, clarifyAt: tuning.clarifyAt, minMargin: tuning.minMargin } : config;
  return config.override ? { ...fitted, ...config.override } : fitted;
}

export type HandoffReason = "requested" | "negative_sentiment" | "repeated_failures";

export type Decision =
  | { type: "answer"; article: Candidate; confidence: number }
  | { type: "clarify"; suggestions: Candidate[]; confidence: number }
  | { type: "offer_handoff"; reason: HandoffReason; article: Candidate | null; suggestions: Candidate[] }
  | { type: "out_of_scope"; confidence: number; related: Candidate[] }
  | { type: "smalltalk"; kind: Exclude<MessageKind, "question" | "human"> };

export interface PolicyInput {
  kind: MessageKind;
  /** The conversation's sentiment calls for a human. */
  negativeSentiment: boolean;
  /** Unanswered questions in a row before this one. */
  failedAnswers: number;
  /** Whether a human was already offered in this conversation (it is not offered twice in a row). */
  handoffOffered: boolean;
  candidates: Candidate[];
  /** P(the first candidate answers the question). */
  confidence: number;
  /** P(the question is one the KB covers); the confidence when not told. */
  inScope?: number;
  /** How far the best candidate's decision value is ahead of the runner-up's, when known. */
  margin?: number;
}

/** How far the best candidate's decision value is ahead of the runner-up's; none for an exact match or without a classifier. */
export function marginOf(retrieval: Pick<Retrieval, "exact" | "modelTop">): number | undefined {
  return retrieval.exact || !retrieval.modelTop ? undefined : retrieval.modelTop.best - retrieval.modelTop.second;
}

/**
 * Whether the best candidate may be given as the answer: confident enough, and clearly ahead
 * of the runner-up (a near-tie between two articles is asked about, however confident the
 * calibration). Every path that answers on its own (degraded mode too) asks this.
 */
export function answerable(confidence: number, margin: number | undefined, config: PolicyConfig): boolean {
  return confidence >= config.answerAt && (margin === undefined || margin >= (config.minMargin ?? 0));
}

export function decide(input: PolicyInput, config: PolicyConfig = DEFAULT_POLICY): Decision {
  const { kind, candidates, confidence } = input;
  const best = candidates[0] ?? null;
  const confident = best !== null && answerable(confidence, input.margin, config);
  if (kind === "human") return { type: "offer_handoff", reason: "requested", article: confident ? best : null, suggestions: [] };
  if (kind !== "question") {
    if (input.negativeSentiment && !input.handoffOffered) return { type: "offer_handoff", reason: "negative_sentiment", article: null, suggestions: [] };
    // The KB's own answer to small talk, when it has a confident one, wins over ours.
    return confident ? { type: "answer", article: best, confidence } : { type: "smalltalk", kind };
  }
  if (input.negativeSentiment && !input.handoffOffered) {
    // Still answer what can be answered, alongside the offer.
    return { type: "offer_handoff", reason: "negative_sentiment", article: confident ? best : null, suggestions: [] };
  }
  if (confident) return { type: "answer", article: best, confidence };
  // Only a question that looks off-topic is told so; one that may be in scope gets choices.
  const suggestions = (input.inScope ?? confidence) >= config.clarifyAt ? candidates.slice(0, config.suggestions) : [];
  if (input.failedAnswers + 1 >= config.maxFailedAnswers && !input.handoffOffered) {
    return { type: "offer_handoff", reason: "repeated_failures", article: null, suggestions };
  }
  if (suggestions.length) return { type: "clarify", suggestions, confidence };
  // The best candidates, in case it was in scope after all: a question the classifier places
  // right in words search cannot match (a typo, a paraphrase) still finds its article here.
  const related = candidates.slice(0, config.suggestions);
  return { type: "out_of_scope", confidence, related };
}

/** Whether a decision counts as an unanswered question (for the failed-answers count). */
export function leftUnanswered(decision: Decision): boolean {
  if (decision.type === "answer") return false;
  if (decision.type === "offer_handoff") return decision.article === null;
  return decision.type === "clarify" || decision.type === "out_of_scope";
}

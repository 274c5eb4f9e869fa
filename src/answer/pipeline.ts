// The answer pipeline as the conversation's answerer: plan the turn (understand, retrieve,
// decide), then put the decision into words with the metadata a reply carries.
import type { ReplyMeta } from "../conversation/types.ts";
import type { Answer, Answerer, AnswerRequest } from "./answerer.ts";
import { generateGrounded, type GenerationConfig } from "./generation/generator.ts";
import type { LlmProvider } from "./generation/provider.ts";
import { localeFor } from "./language.ts";
import { DEFAULT_PLAN_CONFIG, planReply, type KbPort, type Plan, type PlanConfig } from "./plan.ts";
import { replyText } from "./reply-text.ts";

export interface Generation {
  provider: LlmProvider;
  config: GenerationConfig;
}

export class AnswerPipeline implements Answerer {
  private readonly kb: KbPort;
  private readonly config: PlanConfig;
  private readonly generation: Generation | null;

  constructor(kb: KbPort, config: PlanConfig = DEFAULT_PLAN_CONFIG, generation: Generation | null = null) {
    this.kb = kb;
    this.config = config;
    this.generation = generation;
  }

  async answer(request: AnswerRequest, onDelta?: (text: string) => void): Promise<Answer> {
    const plan = await planReply(request.message.text, request.locale, request.state, this.kb, this.config);
    const meta = replyMeta(plan);
    const extractive = { text: replyText(plan.decision, plan.language), meta, state: plan.state };
    if (plan.decision.type !== "answer" || !this.generation) return extractive;
    // Generation words the answer from the article; any doubt falls back to the article itself.
    const { provider, config } = this.generation;
    const { article } = plan.decision;
    const outcome = await generateGrounded(provider, { question: request.message.text, articles: [article], language: plan.language }, config, onDelta);
    if (!outcome.ok) return { ...extractive, meta: { ...meta, generation: { provider: provider.name, fallback: outcome.reason } } };
    return { text: outcome.text, meta: { ...meta, answerer: "generated", generation: { provider: provider.name } }, state: plan.state };
  }
}

/** What a reply tells about how it was made. */
export function replyMeta(plan: Plan): ReplyMeta {
  const { decision, retrieval } = plan;
  const article = decision.type === "answer" ? decision.article : decision.type === "offer_handoff" ? decision.article : null;
  const offered = decision.type === "clarify" || decision.type === "offer_handoff" ? decision.suggestions : decision.type === "out_of_scope" ? decision.related : [];
  const meta: ReplyMeta = { mode: "normal", answerer: article ? "kb" : "policy", locale: localeFor(plan.language), decision: decision.type };
  meta.confidence = Math.round(plan.confidence * 1000) / 1000;
  meta.kb = { version: retrieval.kbVersion, lagSeconds: retrieval.lagSeconds, stale: retrieval.stale };
  if (article) meta.citations = [{ articleId: article.id, title: article.title, kbVersion: retrieval.kbVersion }];
  if (offered.length) meta.suggestions = offered.map((c) => ({ articleId: c.id, title: c.title }));
  if (decision.type === "offer_handoff") meta.handoff = { reason: decision.reason };
  return meta;
}

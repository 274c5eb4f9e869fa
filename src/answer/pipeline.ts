// The answer pipeline as the conversation's answerer: plan the turn (understand, retrieve,
// decide), then put the decision into words with the metadata a reply carries.
import type { ReplyMeta } from "../conversation/types.ts";
import type { Answer, Answerer, AnswerRequest } from "./answerer.ts";
import { localeFor } from "./language.ts";
import { DEFAULT_PLAN_CONFIG, planReply, type KbPort, type Plan, type PlanConfig } from "./plan.ts";
import { replyText } from "./reply-text.ts";

export class AnswerPipeline implements Answerer {
  private readonly kb: KbPort;
  private readonly config: PlanConfig;

  constructor(kb: KbPort, config: PlanConfig = DEFAULT_PLAN_CONFIG) {
    this.kb = kb;
    this.config = config;
  }

  async answer(request: AnswerRequest): Promise<Answer> {
    const plan = await planReply(request.message.text, request.locale, request.state, this.kb, this.config);
    return { text: replyText(plan.decision, plan.language), meta: replyMeta(plan), state: plan.state };
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

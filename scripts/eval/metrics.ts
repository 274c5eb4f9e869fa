// The eval's measurements: per query, what the pipeline did; over a dataset, the report.
// Besides top-1 accuracy it measures what a customer notices: how often a question is
// answered with the right article or a wrong one, whether the right article is among the
// choices offered when it is not answered, and how often off-topic questions get answers.
import type { Plan } from "../../src/answer/plan.ts";
import { percentile } from "../bench/stats.ts";

export interface Outcome {
  /** Gold article slug; null for out-of-scope queries. */
  gold: string | null;
  top: string | null;
  decision: Plan["decision"]["type"];
  answered: string | null;
  /** Slugs of the articles offered as choices (clarifications, related articles). */
  offered: string[];
  ms: number;
}

export interface Report {
  queries: number;
  inScope: number;
  outOfScope: number;
  top1: number;
  /** In-scope questions answered with the right article. */
  answeredRight: number;
  /** In-scope questions answered with a wrong article. */
  answeredWrong: number;
  answeredRate: number;
  answeredAccuracy: number;
  /** Of the in-scope questions not answered, those offered the right article as a choice. */
  offeredRight: number | null;
  /** In-scope questions told they are off-topic ("Sorry, I can only help with…"). */
  inScopeFalseRejection: number;
  oosRecall: number | null;
  oosAnswered: number | null;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export function outcomeOf(plan: Plan, gold: string | null, ms: number): Outcome {
  const d = plan.decision;
  const answered = d.type === "answer" ? d.article.slug : d.type === "offer_handoff" && d.article ? d.article.slug : null;
  const offered = d.type === "clarify" || d.type === "offer_handoff" ? d.suggestions : d.type === "out_of_scope" ? d.related : [];
  return { gold, top: plan.retrieval.candidates[0]?.slug ?? null, decision: d.type, answered, offered: offered.map((c) => c.slug), ms };
}

const ratio = (n: number, d: number) => (d ? n / d : 0);

export function report(outcomes: Outcome[]): Report {
  const inScope = outcomes.filter((o) => o.gold !== null);
  const oos = outcomes.filter((o) => o.gold === null);
  const answered = inScope.filter((o) => o.answered !== null);
  const unanswered = inScope.filter((o) => o.answered === null);
  const right = answered.filter((o) => o.answered === o.gold).length;
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    queries: outcomes.length,
    inScope: inScope.length,
    outOfScope: oos.length,
    top1: ratio(inScope.filter((o) => o.top === o.gold).length, inScope.length),
    answeredRight: ratio(right, inScope.length),
    answeredWrong: ratio(answered.length - right, inScope.length),
    answeredRate: ratio(answered.length, inScope.length),
    answeredAccuracy: ratio(right, answered.length),
    offeredRight: unanswered.length ? ratio(unanswered.filter((o) => o.offered.includes(o.gold!)).length, unanswered.length) : null,
    inScopeFalseRejection: ratio(inScope.filter((o) => o.decision === "out_of_scope").length, inScope.length),
    oosRecall: oos.length ? ratio(oos.filter((o) => o.decision === "out_of_scope").length, oos.length) : null,
    oosAnswered: oos.length ? ratio(oos.filter((o) => o.answered !== null).length, oos.length) : null,
    latencyP50Ms: percentile(times, 50),
    latencyP99Ms: percentile(times, 99),
  };
}

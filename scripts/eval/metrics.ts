// The eval's measurements: per query, what the pipeline did; over a dataset, the report.
import type { Plan } from "../../src/answer/plan.ts";
import { percentile } from "../bench/stats.ts";

export interface Outcome {
  /** Gold article slug; null for out-of-scope queries. */
  gold: string | null;
  top: string | null;
  decision: Plan["decision"]["type"];
  answered: string | null;
  ms: number;
}

export interface Report {
  queries: number;
  inScope: number;
  outOfScope: number;
  top1: number;
  answeredRate: number;
  answeredAccuracy: number;
  oosRecall: number | null;
  oosAnswered: number | null;
  inScopeFalseRejection: number | null;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export function outcomeOf(plan: Plan, gold: string | null, ms: number): Outcome {
  const d = plan.decision;
  const answered = d.type === "answer" ? d.article.slug : d.type === "offer_handoff" && d.article ? d.article.slug : null;
  return { gold, top: plan.retrieval.candidates[0]?.slug ?? null, decision: d.type, answered, ms };
}

const ratio = (n: number, d: number) => (d ? n / d : 0);

export function report(outcomes: Outcome[]): Report {
  const inScope = outcomes.filter((o) => o.gold !== null);
  const oos = outcomes.filter((o) => o.gold === null);
  const answered = inScope.filter((o) => o.answered !== null);
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    queries: outcomes.length,
    inScope: inScope.length,
    outOfScope: oos.length,
    top1: ratio(inScope.filter((o) => o.top === o.gold).length, inScope.length),
    answeredRate: ratio(answered.length, inScope.length),
    answeredAccuracy: ratio(answered.filter((o) => o.answered === o.gold).length, answered.length),
    oosRecall: oos.length ? ratio(oos.filter((o) => o.decision === "out_of_scope").length, oos.length) : null,
    oosAnswered: oos.length ? ratio(oos.filter((o) => o.answered !== null).length, oos.length) : null,
    inScopeFalseRejection: oos.length ? ratio(inScope.filter((o) => o.decision === "out_of_scope").length, inScope.length) : null,
    latencyP50Ms: percentile(times, 50),
    latencyP99Ms: percentile(times, 99),
  };
}

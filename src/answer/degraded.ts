// Degraded mode: when a dependency is slow, failing, open-circuited or over budget, the
// reply still comes, from the first of: the answer cache (exact question, then the
// replica's memory of popular questions), the best answer from a sibling replica shard of
// the region, then from the neighbouring region's replica, and finally an apology with an
// offer of a person. Every such reply says so.
import type { ReplyMeta } from "../conversation/types.ts";
import type { Retrieval, RetrievalOptions } from "../kb/retrieval.ts";
import type { SearchHit } from "../kb/search.ts";
import type { AnswerCache } from "./answer-cache.ts";
import { apology } from "./apology.ts";
import { withTimeout } from "../resilience/breaker.ts";
import type { Answer } from "./answerer.ts";
import { confidenceOf } from "./confidence.ts";
import { localeFor } from "./language.ts";
import type { PlanConfig } from "./plan.ts";
import { answerable, marginOf, policyFor } from "./policy.ts";

export type DegradedReason = "rate_limited" | "llm_unavailable" | "llm_budget" | "replica_unavailable" | "primary_unreachable" | "deadline";

export interface DegradedSources {
  cache: AnswerCache;
  /** The region replica's memory of popular answered questions (a cheap lookup that may work when retrieval did not). */
  memory: (question: string, language: string) => Promise<SearchHit | null>;
  /** Another replica shard of the same region (rejects when the region has one shard). */
  sibling: (question: string, options: RetrievalOptions) => Promise<Retrieval>;
  /** The neighbouring region's replica. */
  neighbour: (question: string, options: RetrievalOptions) => Promise<Retrieval>;
}

export interface DegradedContext {
  question: string;
  language: string;
  fallbackLanguage: string;
  reason: DegradedReason;
  since: number;
  /** Time left for trying sources (ms); past the deadline only the cache is asked. */
  remainingMs: number;
  now: () => number;
}

export function degradedMeta(base: Omit<ReplyMeta, "mode" | "degraded">, reason: DegradedReason, since: number, kbVersion: number | null, staleSeconds: number | null): ReplyMeta {
  return { ...base, mode: "degraded", degraded: { reason, since: new Date(since).toISOString(), kbVersion, staleSeconds } };
}

const articleAnswer = (hit: Pick<SearchHit, "id" | "title" | "answer" | "locale">, kbVersion: number, answerer: string, ctx: DegradedContext): Answer => ({
  text: hit.answer,
  meta: degradedMeta({ answerer, locale: hit.locale, decision: "answer", citations: [{ articleId: hit.id, title: hit.title, kbVersion }] }, ctx.reason, ctx.since, kbVersion, null),
});

/** The work's result if it comes within `ms`; null if it fails, is late, or there is no time. */
function within<T>(ms: number, work: () => Promise<T>): Promise<T | null> {
  return ms <= 0 ? Promise.resolve(null) : withTimeout(work(), ms, "degraded source").catch(() => null);
}

export async function degradedReply(ctx: DegradedContext, sources: DegradedSources, config: PlanConfig): Promise<Answer> {
  const locale = localeFor(ctx.language);
  const cached = await sources.cache.get(ctx.question, locale);
  if (cached) return articleAnswer({ id: cached.articleId, title: cached.title, answer: cached.text, locale: cached.locale }, cached.kbVersion, "cache", ctx);
  const started = ctx.now();
  const left = () => ctx.remainingMs - (ctx.now() - started);
  const remembered = await within(left(), () => sources.memory(ctx.question, ctx.language));
  if (remembered) return articleAnswer(remembered, remembered.version, "memory", ctx);
  const options = { language: ctx.language, fallbackLanguage: ctx.fallbackLanguage, limit: 5 };
  for (const source of ["sibling", "neighbour"] as const) {
    const found = await within(left(), () => sources[source](ctx.question, options));
    const best = found?.candidates[0];
    // The same rule as a normal turn's: confident, and no near-tie with the runner-up.
    if (found && best && answerable(confidenceOf(found, config.calibration), marginOf(found), policyFor(found, config.policy))) return articleAnswer(best, found.kbVersion, source, ctx);
  }
  const sorry = apology(locale, ctx.reason, new Date(ctx.since));
  return {
    text: sorry.text,
    meta: degradedMeta({ answerer: "apology", locale: sorry.meta.locale, decision: "offer_handoff", handoff: { reason: "repeated_failures" } }, ctx.reason, ctx.since, null, null),
  };
}

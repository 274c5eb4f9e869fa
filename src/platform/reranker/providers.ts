// Which reranker, if any, the configuration asks for (RERANKER_PROVIDER), and the two ways
// it is called: a question's best articles within what is left of the turn's deadline behind
// the "reranker" breaker (the answer is the classifier's when that fails), and held-out
// questions at training with a longer time limit (a failure leaves the tuning without it).
import type { Config } from "../../config.ts";
import { RerankError, type Reranker } from "../../kb/semantic/reranker.ts";
import { TimeoutError, withTimeout, type Breakers } from "../../resilience/breaker.ts";
import type { WorkersAiBinding } from "../llm/workers-ai.ts";
import { OpenAiCompatibleReranker } from "./openai-compatible.ts";
import { WorkersAiReranker } from "./workers-ai.ts";

/** A held-out question's passages at training may take this long (a turn gets RERANKER_TIMEOUT_MS at most). */
export const TRAIN_RERANK_TIMEOUT_MS = 30_000;

/** The configured reranker, or null when off (the default) or misconfigured. */
export function rerankerProvider(env: Env, config: Config["reranker"]): Reranker | null {
  if (config.provider === "openai" && config.baseUrl && config.model) {
    return new OpenAiCompatibleReranker({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey });
  }
  // The AI binding exists only where a deployment's wrangler environment declares it.
  const ai = (env as unknown as { AI?: WorkersAiBinding }).AI;
  if (config.provider === "workers-ai" && ai) return new WorkersAiReranker(ai, config.model || "@cf/baai/bge-reranker-base");
  return null;
}

/** A reranker whose every call gives up after `ms` (a RerankError "timeout"). */
export function timedReranker(reranker: Reranker, ms: number): Reranker {
  return {
    space: reranker.space,
    rerank: (query, passages) =>
      withTimeout(reranker.rerank(query, passages, AbortSignal.timeout(ms)), ms, "reranker").catch((err: unknown) => {
        throw err instanceof TimeoutError ? new RerankError("timeout", "time limit") : err;
      }),
  };
}

/**
 * A question's passages scored within `timeoutMs`, through the "reranker" breaker; undefined
 * when the call fails, times out or the breaker is open: the turn keeps the classifier's
 * order, which is the normal path (nothing in the reply says degraded).
 */
export function queryRerank(reranker: Reranker, breakers: Breakers): (query: string, passages: string[], timeoutMs: number) => Promise<number[] | undefined> {
  return async (query, passages, timeoutMs) => {
    if (!query.trim() || !passages.length) return undefined;
    return breakers
      .get("reranker")
      .run(() => reranker.rerank(query, passages, AbortSignal.timeout(timeoutMs)), timeoutMs)
      .then(
        (scores) => scores,
        () => undefined,
      );
  };
}

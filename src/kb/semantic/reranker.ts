// The reranker port: a question and a few passages in, one relevance in [0, 1] per passage
// out (a cross-encoder reads the question and each passage together). Optional (off by
// default, like embeddings): it only reorders the classifier's best articles. Providers
// live in src/platform/reranker/.
import type { SearchHit } from "../search.ts";
import { sigmoid } from "../model/tuning.ts";

export interface Reranker {
  /** What the scores mean: provider and model (`openai:bge-reranker-base`). Scores of another space are never reused. */
  readonly space: string;
  /** One relevance in [0, 1] per passage, in passage order. Throws RerankError. */
  rerank(query: string, passages: string[], signal?: AbortSignal): Promise<number[]>;
}

/** A rerank call failed. The detail is a status or an error name, never text sent or received. */
export class RerankError extends Error {
  readonly kind: "unreachable" | "status" | "rate_limited" | "malformed" | "timeout";
  constructor(kind: RerankError["kind"], detail: string) {
    super(`reranker ${kind}: ${detail}`);
    this.name = "RerankError";
    this.kind = kind;
  }
}

/** An article's passage: the characters of its answer that follow the title (bge-reranker reads 512 tokens at most). */
export const PASSAGE_CHARS = 512;

/**
 * What the reranker reads of an article: its title and the start of its answer, the text a
 * customer is answered with (its example questions are the classifier's evidence already).
 */
export function rerankPassage(article: Pick<SearchHit, "title" | "answer">): string {
  return `${article.title}\n${article.answer.slice(0, PASSAGE_CHARS)}`;
}

/**
 * A provider's scores placed by passage index: all present, finite, and relevances. Workers
 * AI and the /v1/rerank servers return probabilities (the model's sigmoid); a response with
 * any score outside [0, 1] is taken as logits and passed through a sigmoid.
 */
export function checkedScores(items: unknown, count: number): number[] {
  if (!Array.isArray(items)) throw new RerankError("malformed", "results");
  const scores: number[] = new Array(count).fill(NaN);
  for (const item of items as Array<{ index?: unknown; score?: unknown } | null>) {
    const i = item?.index;
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= count || typeof item!.score !== "number" || !Number.isFinite(item!.score)) throw new RerankError("malformed", "result");
    scores[i] = item!.score;
  }
  if (scores.some(Number.isNaN)) throw new RerankError("malformed", "result count");
  return scores.every((s) => s >= 0 && s <= 1) ? scores : scores.map(sigmoid);
}

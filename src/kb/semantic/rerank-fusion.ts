// The rerank signal and reordering, computed the same way at answer time (retrieval.ts builds
// the view, the conversation's ports apply the scores) and in cross-validation
// (rerank-folds.ts): the reranker's relevance of each of the classifier's best RERANK_POOL
// articles to the question, their decision values re-ordered by decision value + weight ×
// relevance, and the model's signals about the new best with its relevance as `rerank`.
// With weight 0 the order and the signals are the classifier's own.
import type { ModelSignals } from "../model/signals.ts";

/** The classifier's best this many articles are reranked (a cross-encoder call per article). */
export const RERANK_POOL = 5;
/** Candidate rerank weights; cross-validation picks the one that ranks held-out questions best (the smallest on ties). */
export const RERANK_WEIGHTS = [0, 0.25, 0.5, 1, 2] as const;

/** What reranking needs of a ranking: its pool (classes or article ids, best first) and the signals' inputs. */
export interface RerankView<K> {
  pool: K[];
  /** The pool's decision values and centroid similarities (0 without centroids). */
  values: number[];
  near: number[];
  /** The class with the nearest centroid over the whole ranking (null without centroids). */
  nearest: K | null;
  /** The best decision value after the pool (null when there is none). */
  next: number | null;
  coverage: number;
}

/** The view of a ranking (`ranked`: best first, skipped classes out), keyed by `key(class)`. */
export function rerankView<K>(values: Float32Array, ranked: number[], coverage: number, near: Float32Array | null, key: (cls: number) => K): RerankView<K> {
  const pool = ranked.slice(0, RERANK_POOL);
  let nearest = ranked[0];
  if (near) for (const i of ranked) if (near[i]! > near[nearest!]!) nearest = i;
  const after = ranked[pool.length];
  return {
    pool: pool.map(key),
    values: pool.map((c) => values[c]!),
    near: pool.map((c) => (near ? near[c]! : 0)),
    nearest: near && nearest !== undefined ? key(nearest) : null,
    next: after === undefined ? null : values[after]!,
    coverage,
  };
}

export interface Reranked {
  /** Pool positions, best first after reranking. */
  order: number[];
  /** The pool's fused values (decision value + weight × relevance), in pool order. */
  values: number[];
  /** What is added to every value outside the pool (weight × the pool's least relevance): they stay below. */
  shift: number;
  signals: ModelSignals & { rerank: number };
}

/** The pool reordered by decision value + weight × relevance (`scores`: one per pool entry), and the signals about its new best. */
export function rerankFused<K>(view: RerankView<K>, scores: number[], weight: number): Reranked {
  const shift = scores.length ? weight * Math.min(...scores) : 0;
  const values = view.values.map((v, i) => v + weight * scores[i]!);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]! || a - b);
  const [best, second] = order;
  return {
    order,
    values,
    shift,
    signals: {
      best: best === undefined ? -1 : values[best]!,
      second: second !== undefined ? values[second]! : view.next === null ? -1 : view.next + shift,
      coverage: view.coverage,
      similarity: best === undefined ? 0 : view.near[best]!,
      agree: best !== undefined && view.nearest !== null && view.nearest === view.pool[best] ? 1 : 0,
      rerank: best === undefined ? 0 : scores[best]!,
    },
  };
}

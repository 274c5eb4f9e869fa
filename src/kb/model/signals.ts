// What the classifier says about its best article for a question: the raw signals the
// confidence calibration weighs, computed the same way at answer time (retrieval.ts) and
// in cross-validation (tuning.ts).

export interface ModelSignals {
  /** The two best decision values over all classes. */
  best: number;
  second: number;
  /** The share of the question's words the model knows (weighted by rarity). */
  coverage: number;
  /** Cosine similarity of the question to the best article's centroid. */
  similarity: number;
  /** 1 when the nearest centroid is the best article's too, else 0. */
  agree: number;
  /** With embeddings (src/kb/semantic): the question's similarity to the best article's nearest text. */
  semantic?: number;
  /** With a reranker: its relevance of the best article (after reranking), 0 to 1. */
  rerank?: number;
}

/** The classifier's signals about its best class (ranked: classes by decision value, best first). */
export function modelSignals(values: Float32Array, ranked: number[], coverage: number, near: Float32Array | null): ModelSignals {
  const best = ranked[0];
  let nearest = ranked[0];
  if (near) for (const i of ranked) if (near[i]! > near[nearest!]!) nearest = i;
  return {
    best: best === undefined ? -1 : values[best]!,
    second: ranked[1] === undefined ? -1 : values[ranked[1]]!,
    coverage,
    similarity: near && best !== undefined ? near[best]! : 0,
    agree: near && best !== undefined && nearest === best ? 1 : 0,
  };
}


/** What the calibration weighs: the classifier's best decision value, its margin over the runner-up, the share of known words, the similarity to the best article's centroid, and whether the nearest centroid agrees. */
export interface Signals {
  top: number;
  margin: number;
  coverage: number;
  similarity: number;
  agree: number;
  /** Optional: weighed only by a calibration fitted with embeddings (src/kb/semantic). */
  semantic?: number;
  /** Optional: weighed only by a calibration fitted with a reranker (src/kb/semantic/rerank-folds.ts). */
  rerank?: number;
}

export const SIGNALS = ["top", "margin", "coverage", "similarity", "agree"] as const;

/** The signals of a retrieval's model, as the calibration takes them. */
export function signalsOf(m: ModelSignals): Signals {
  const s: Signals = { top: m.best, margin: m.best - m.second, coverage: m.coverage, similarity: m.similarity, agree: m.agree };
  if (m.semantic !== undefined) s.semantic = m.semantic;
  if (m.rerank !== undefined) s.rerank = m.rerank;
  return s;
}

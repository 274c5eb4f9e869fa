// The semantic signal and the fused ranking, computed the same way at answer time
// (retrieval.ts) and in cross-validation (semantic-folds.ts): the similarity of the
// question's embedding to each of the classifier's best articles (its nearest text), and
// their decision values re-ordered by decision value + fusion × similarity. With fusion 0
// the order is the classifier's own.
import { modelSignals, type ModelSignals } from "../model/signals.ts";

/** The classifier's best this many articles are re-ranked; only their similarities are computed. */
export const FUSION_POOL = 20;
/** Candidate fusion weights; cross-validation picks the one that ranks held-out questions best (the smallest on ties). */
export const FUSION_WEIGHTS = [0, 0.5, 1, 2, 4] as const;

/** The similarities of the classifier's best FUSION_POOL classes (`ranked`: best first, skipped classes already out). */
export function poolSimilarities(ranked: number[], similarity: (cls: number) => number): { pool: number[]; sims: Float32Array } {
  const pool = ranked.slice(0, FUSION_POOL);
  return { pool, sims: Float32Array.from(pool, similarity) };
}

export interface Fused {
  /** Decision values, fused: the pool's with fusion × similarity added, the rest with fusion × the pool's least similarity (so they stay below). */
  values: Float32Array;
  ranked: number[];
  signals: ModelSignals & { semantic: number };
}

/** The fused values and ranking, and the model's signals about the fused best (with its similarity as `semantic`). */
export function fuse(values: Float32Array, ranked: number[], pooled: { pool: number[]; sims: Float32Array }, fusion: number, coverage: number, near: Float32Array | null): Fused {
  const { pool, sims } = pooled;
  let least = Infinity;
  for (const s of sims) least = Math.min(least, s);
  const out = Float32Array.from(values, (v) => v + fusion * (Number.isFinite(least) ? least : 0));
  const simOf = new Map<number, number>();
  pool.forEach((c, i) => {
    out[c] = values[c]! + fusion * sims[i]!;
    simOf.set(c, sims[i]!);
  });
  const order = [...pool].sort((a, b) => out[b]! - out[a]! || pool.indexOf(a) - pool.indexOf(b));
  const fusedRanked = [...order, ...ranked.slice(pool.length)];
  const best = fusedRanked[0];
  return { values: out, ranked: fusedRanked, signals: { ...modelSignals(out, fusedRanked, coverage, near), semantic: best === undefined ? 0 : (simOf.get(best) ?? 0) } };
}

// The semantic signal in cross-validation: each held-out question is scored with its own
// vector (embedded at sync with the rest of its article's texts) against the vectors of the
// texts its fold trains on, so the signal is what a customer's new question would get. The
// fusion weight is the one that ranks held-out questions best; the calibration and
// thresholds fitted on those points are kept beside the lexical ones (Tuning.semantic) and
// used only for questions that come with a vector.
import type { TuningPoint } from "../model/cross-validation.ts";
import { SIGNALS, signalsOf, type Signals } from "../model/signals.ts";
import type { TrainingSet } from "../model/training.ts";
import { chooseTuning, PRIOR_TUNING, type ChooseOptions, type Tuning } from "../model/tuning.ts";
import { fuse, FUSION_WEIGHTS, poolSimilarities } from "./fusion.ts";
import { classSimilarity, rowVector, type VectorIndex } from "./vectors.ts";

/** A point scored with the semantic signal at one fusion weight. */
export type FusedPoint = Signals & { semantic: number; correct: boolean; inTop3: boolean };

export interface FoldSemantic {
  /** A text's points, one per FUSION_WEIGHTS entry: an example by index (scored with its own vector) or a generic message; undefined without a vector. */
  score(query: number | string, label: number | null, values: Float32Array, ranked: number[], coverage: number, near: Float32Array | null): FusedPoint[] | undefined;
}

export interface SemanticFolds {
  /** The semantic view of a fold that holds out the examples `held` says. */
  fold(held: (example: number) => boolean): FoldSemantic;
  /** The tuning fitted on the points' semantic scores; null when none has them. */
  tune(points: TuningPoint[], how: ChooseOptions): (Tuning & { fusion: number; space: string }) | null;
}

const SEMANTIC_SIGNALS = [...SIGNALS, "semantic"] as const;

/**
 * The semantic folds of a training set whose classes' vectors are `index` (rows in
 * vectorTexts order, `texts[c]` for class c) and generic off-topic messages' vectors.
 * Null when the index does not match the texts (vectors of an older copy).
 */
export function semanticFolds(set: TrainingSet, texts: string[][], index: VectorIndex, generic: Map<string, Float32Array>): SemanticFolds | null {
  if (texts.length !== set.classes.length || texts.some((t, c) => index.start[c + 1]! - index.start[c]! !== t.length)) return null;
  // Each askable example's row: the first unclaimed row of its class with the same text.
  const free = texts.map((list, c) => {
    const rows = new Map<string, number[]>();
    list.forEach((t, k) => rows.set(t, [...(rows.get(t) ?? []), index.start[c]! + k]));
    return rows;
  });
  const rowOf = set.examples.map((e, i) => (set.isQuestion[i] || set.isTitle[i] ? (free[e.label]!.get(e.text)?.shift() ?? -1) : -1));
  return {
    fold(held) {
      const heldRows = new Set<number>();
      rowOf.forEach((r, i) => r >= 0 && held(i) && heldRows.add(r));
      const skipRow = (r: number) => heldRows.has(r);
      return {
        score(query, label, values, ranked, coverage, near) {
          const vector = typeof query === "number" ? (rowOf[query]! >= 0 ? rowVector(index, rowOf[query]!) : null) : (generic.get(query) ?? null);
          if (!vector) return undefined;
          const pooled = poolSimilarities(ranked, (c) => classSimilarity(index, c, vector, skipRow));
          return FUSION_WEIGHTS.map((fusion) => {
            const f = fuse(values, ranked, pooled, fusion, coverage, near);
            return { ...signalsOf(f.signals), semantic: f.signals.semantic, correct: label !== null && f.ranked[0] === label, inTop3: label !== null && f.ranked.slice(0, 3).includes(label) };
          });
        },
      };
    },
    tune(points, how) {
      const scored = points.filter((p) => p.fused);
      const inScope = scored.filter((p) => p.kind === "in");
      if (!inScope.length) return null;
      // The weight that ranks the most held-out questions first; the smallest on ties.
      const right = FUSION_WEIGHTS.map((_, k) => inScope.filter((p) => p.fused![k]!.correct).length);
      const k = right.indexOf(Math.max(...right));
      const fusedPoints = scored.map((p) => ({ kind: p.kind, weight: p.weight, ...p.fused![k]! }));
      return { ...chooseTuning(fusedPoints, PRIOR_TUNING, { ...how, keys: SEMANTIC_SIGNALS }), fusion: FUSION_WEIGHTS[k]!, space: index.space };
    },
  };
}

// Example questions that look filed under the wrong article: a large KB built from chat logs
// or tickets has some, and each one teaches the classifier a wrong word or two. A question
// much nearer another article's centroid than its own article's (without itself) is one,
// and training weighs it less. One pass over the examples' TF-IDF vectors (the classifier's
// features), feature-major like centroids.ts.
import { vectorize, type Example, type SparseVector } from "./classifier.ts";
import { features } from "./features.ts";
import type { TrainingSet } from "./training.ts";

/** How much nearer (cosine) another article's centroid must be than the question's own. */
export const SUSPECT_GAP = 0.15;
/** What a suspect question weighs, relative to its weight otherwise. */
export const SUSPECT_WEIGHT = 0.2;
/**
 * Example questions per article from which a KB is checked: with fewer, an article's centroid
 * without one of them is too thin to judge it by, and a deliberately varied question would
 * look misfiled.
 */
export const CHECKED_FROM = 20;

/** TF-IDF vectors of the examples over their own vocabulary (as the classifier weighs features). */
function vectors(examples: Example[]): SparseVector[] {
  const counted = examples.map((e) => features(e.text));
  const df = new Map<string, number>();
  for (const f of counted) for (const k of f.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const k of df.keys()) vocab.set(k, vocab.size);
  const idf = new Float32Array(vocab.size);
  for (const [k, id] of vocab) idf[id] = Math.log((1 + examples.length) / (1 + df.get(k)!)) + 1;
  return examples.map((e) => vectorize({ vocab, idf }, e.text));
}

/**
 * For each example, how much nearer its text is to the nearest other article's centroid than
 * to its own article's centroid without it (negative: nearer its own). Examples `check`
 * rejects get 0, though they shape the centroids.
 */
export function labelGaps(examples: Example[], classes: number, check: (i: number) => boolean): Float64Array {
  const xs = vectors(examples);
  // Each article's (weighted) sum of its examples' vectors, as feature → [article, value] runs.
  const perFeature = new Map<number, Map<number, number>>();
  examples.forEach((e, i) => {
    const x = xs[i]!;
    for (let k = 0; k < x.idx.length; k++) {
      const byClass = perFeature.get(x.idx[k]!) ?? new Map<number, number>();
      byClass.set(e.label, (byClass.get(e.label) ?? 0) + (e.weight ?? 1) * x.val[k]!);
      perFeature.set(x.idx[k]!, byClass);
    }
  });
  const features = Math.max(0, ...perFeature.keys()) + 1;
  const start = new Int32Array(features + 1);
  for (let f = 0; f < features; f++) start[f + 1] = start[f]! + (perFeature.get(f)?.size ?? 0);
  const owner = new Int32Array(start[features]!);
  const value = new Float64Array(start[features]!);
  const squared = new Float64Array(classes);
  for (const [f, byClass] of perFeature) {
    let j = start[f]!;
    for (const [cls, v] of byClass) {
      owner[j] = cls;
      value[j++] = v;
      squared[cls]! += v * v;
    }
  }
  const norm = squared.map(Math.sqrt);
  const gaps = new Float64Array(examples.length);
  const dots = new Float64Array(classes);
  examples.forEach((e, i) => {
    if (!check(i)) return;
    const x = xs[i]!;
    dots.fill(0);
    for (let k = 0; k < x.idx.length; k++) {
      const f = x.idx[k]!;
      for (let j = start[f]!; j < start[f + 1]!; j++) dots[owner[j]!]! += value[j]! * x.val[k]!;
    }
    // Its own article without it: the sum less w·x (x has unit length).
    const w = e.weight ?? 1;
    const ownNorm = Math.sqrt(Math.max(0, squared[e.label]! - 2 * w * dots[e.label]! + w * w));
    const own = ownNorm > 1e-9 ? (dots[e.label]! - w) / ownNorm : 0;
    let other = 0;
    for (let j = 0; j < classes; j++) if (j !== e.label && norm[j]! > 0) other = Math.max(other, dots[j]! / norm[j]!);
    gaps[i] = other - own;
  });
  return gaps;
}

/** The training set with its suspect example questions weighing less, and how many there were. */
export function checkLabels(set: TrainingSet): { set: TrainingSet; suspects: number } {
  const questions = set.isQuestion.filter(Boolean).length;
  if (questions < CHECKED_FROM * set.classes.length) return { set, suspects: 0 };
  const gaps = labelGaps(set.examples, set.classes.length, (i) => set.isQuestion[i]!);
  let suspects = 0;
  const examples = set.examples.map((e, i) => {
    if (gaps[i]! <= SUSPECT_GAP) return e;
    suspects++;
    return { ...e, weight: (e.weight ?? 1) * SUSPECT_WEIGHT };
  });
  return { set: { ...set, examples }, suspects };
}

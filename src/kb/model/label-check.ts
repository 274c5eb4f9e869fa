// Example questions that look filed under the wrong article: a large KB built from chat logs
// or tickets has some, and each one teaches the classifier a wrong word or two. A question
// much nearer another article's centroid than its own article's (without itself) is one,
// and training weighs it less. One pass over the examples' TF-IDF vectors (the classifier's
// features), feature-major like centroids.ts.
import type { Example } from "./classifier.ts";
import { classSums, countFeatures, tfidfRows, type SparseRows } from "./feature-rows.ts";
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

/** TF-IDF rows of the examples over their own vocabulary (as the classifier weighs features), and its size. */
function vectors(examples: Example[]): { xs: SparseRows; features: number } {
  const counted = countFeatures(examples.map((e) => e.text));
  const n = counted.df.length;
  const idf = Float32Array.from(counted.df, (d) => Math.log((1 + examples.length) / (1 + d)) + 1);
  return { xs: tfidfRows(counted.rows, Int32Array.from({ length: n }, (_, i) => i), idf), features: n };
}

/**
 * For each example, how much nearer its text is to the nearest other article's centroid than
 * to its own article's centroid without it (negative: nearer its own). Examples `check`
 * rejects get 0, though they shape the centroids.
 */
export function labelGaps(examples: Example[], classes: number, check: (i: number) => boolean): Float64Array {
  const { xs, features } = vectors(examples);
  // Each article's (weighted) sum of its examples' vectors, feature-major.
  const sums = classSums(xs, Int32Array.from(examples, (e) => e.label), Float64Array.from(examples, (e) => e.weight ?? 1), classes, features);
  const { start, classes: owner, values: value, squared } = sums;
  const norm = squared.map(Math.sqrt);
  const gaps = new Float64Array(examples.length);
  const dots = new Float64Array(classes);
  examples.forEach((e, i) => {
    if (!check(i)) return;
    dots.fill(0);
    for (let k = xs.start[i]!; k < xs.start[i + 1]!; k++) {
      const f = xs.idx[k]!;
      for (let j = start[f]!; j < start[f + 1]!; j++) dots[owner[j]!]! += value[j]! * xs.val[k]!;
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

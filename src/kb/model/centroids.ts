// Each article's centroid: the normalised sum of its examples' vectors. How close a
// question comes to the centroid of the article the classifier ranks first is a second
// opinion on that article, and the best single sign that a question is off-topic: the
// classifier always ranks some article first, but an off-topic question is close to none.
// Stored feature-major (for each feature, the articles whose centroid has it), so a
// question's similarity to every centroid costs one pass over its features.
import type { Example, SparseVector } from "./classifier.ts";
import { arrayAt, bytesOf, lengthPrefix } from "./bytes.ts";
import { classSums, type SparseRows } from "./feature-rows.ts";

export interface Centroids {
  /** For feature f, entries start[f] … start[f + 1] − 1 of `classes` and `values`. */
  start: Int32Array;
  classes: Int32Array;
  values: Float32Array;
  /** How many classes there are. */
  count: number;
}

/** The centroids of the classes of a model's training rows (tfidfRows; each weighted like its example). */
export function centroidsOf(xs: SparseRows, examples: Example[], classes: number, features: number): Centroids {
  const sums = classSums(xs, Int32Array.from(examples, (e) => e.label), Float64Array.from(examples, (e) => e.weight ?? 1), classes, features);
  const norm = sums.squared.map((s) => Math.sqrt(s) || 1);
  const values = Float32Array.from(sums.values, (v, j) => v / norm[sums.classes[j]!]!);
  return { start: sums.start, classes: sums.classes, values, count: classes };
}

/** Cosine similarity of a (normalised) vector to every class's centroid. */
export function similarities(centroids: Centroids, x: SparseVector): Float32Array {
  const out = new Float32Array(centroids.count);
  for (let k = 0; k < x.idx.length; k++) {
    const f = x.idx[k]!;
    for (let j = centroids.start[f]!; j < centroids.start[f + 1]!; j++) out[centroids.classes[j]!]! += centroids.values[j]! * x.val[k]!;
  }
  return out;
}

/** Bytes (bytes.ts), in parts: class count, entry count, then start, classes and values as 32-bit arrays. */
export function centroidParts(c: Centroids): Uint8Array[] {
  return [lengthPrefix(c.count), lengthPrefix(c.classes.length), bytesOf(c.start), bytesOf(c.classes), bytesOf(c.values)];
}

export function decodeCentroids(bytes: Uint8Array, features: number): Centroids {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const entries = view.getUint32(4, true);
  const start = arrayAt(Int32Array, bytes, 8, features + 1);
  const classes = arrayAt(Int32Array, bytes, 8 + start.byteLength, entries);
  const values = arrayAt(Float32Array, bytes, 8 + start.byteLength + classes.byteLength, entries);
  return { start, classes, values, count };
}

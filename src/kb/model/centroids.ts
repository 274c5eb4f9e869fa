// Each article's centroid: the normalised sum of its examples' vectors. How close a
// question comes to the centroid of the article the classifier ranks first is a second
// opinion on that article, and the best single sign that a question is off-topic: the
// classifier always ranks some article first, but an off-topic question is close to none.
// Stored feature-major (for each feature, the articles whose centroid has it), so a
// question's similarity to every centroid costs one pass over its features.
import type { ClassifierModel, Example, SparseVector } from "./classifier.ts";
import { vectorize } from "./classifier.ts";

export interface Centroids {
  /** For feature f, entries start[f] … start[f + 1] − 1 of `classes` and `values`. */
  start: Int32Array;
  classes: Int32Array;
  values: Float32Array;
  /** How many classes there are. */
  count: number;
}

/** The centroids of the classes of a model's training examples (each weighted like the example). */
export function centroidsOf(model: ClassifierModel, examples: Example[]): Centroids {
  const c = model.classes.length;
  const sums = model.classes.map(() => new Map<number, number>());
  for (const e of examples) {
    const x = vectorize(model, e.text);
    const sum = sums[e.label]!;
    for (let k = 0; k < x.idx.length; k++) sum.set(x.idx[k]!, (sum.get(x.idx[k]!) ?? 0) + (e.weight ?? 1) * x.val[k]!);
  }
  const byFeature = new Map<number, Array<[number, number]>>();
  sums.forEach((sum, cls) => {
    const norm = Math.sqrt([...sum.values()].reduce((s, v) => s + v * v, 0)) || 1;
    for (const [f, v] of sum) {
      const list = byFeature.get(f) ?? [];
      list.push([cls, v / norm]);
      byFeature.set(f, list);
    }
  });
  const v = model.vocab.size;
  const start = new Int32Array(v + 1);
  for (let f = 0; f < v; f++) start[f + 1] = start[f]! + (byFeature.get(f)?.length ?? 0);
  const classes = new Int32Array(start[v]!);
  const values = new Float32Array(start[v]!);
  for (const [f, list] of byFeature) list.forEach(([cls, value], i) => ((classes[start[f]! + i] = cls), (values[start[f]! + i] = value)));
  return { start, classes, values, count: c };
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

/** Bytes: class count, entry count, then start, classes and values as 32-bit little-endian arrays. */
export function encodeCentroids(c: Centroids): Uint8Array {
  const out = new Uint8Array(8 + c.start.byteLength + c.classes.byteLength + c.values.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, c.count, true);
  view.setUint32(4, c.classes.length, true);
  let at = 8;
  for (const a of [c.start, c.classes, c.values]) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

export function decodeCentroids(bytes: Uint8Array, features: number): Centroids {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const count = view.getUint32(0, true);
  const entries = view.getUint32(4, true);
  const start = new Int32Array(copy.buffer, 8, features + 1);
  const classes = new Int32Array(copy.buffer, 8 + start.byteLength, entries);
  const values = new Float32Array(copy.buffer, 8 + start.byteLength + classes.byteLength, entries);
  return { start, classes, values, count };
}

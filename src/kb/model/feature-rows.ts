// Training examples as compact feature rows. A replica trains within a Durable Object's
// 128 MB: a `features()` Map per example (BANKING77: 10,000 of them, a few hundred
// substrings each) took more than that on its own. Here every distinct feature is one string,
// in one Map, and each text is a run of integers in a few typed arrays (docs/scaling.md).
import { features } from "./features.ts";

/** Rows of a sparse matrix: row r is entries start[r] … start[r + 1] − 1 of idx and val. */
export interface SparseRows {
  start: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

export interface FeatureCounts {
  /** Every feature the texts have → its id, in order of first appearance. */
  ids: Map<string, number>;
  /** How many texts have each feature. */
  df: Int32Array;
  /** Each text's features (in the order `features()` gives them) and how often it has them. */
  rows: SparseRows;
}

/** A typed array that grows as values are pushed. */
class Growing<T extends Int32Array | Float32Array> {
  length = 0;
  data: T;
  private readonly make: (n: number) => T;
  constructor(make: (n: number) => T) {
    this.make = make;
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** Counts the features of each text. */
export function countFeatures(texts: string[]): FeatureCounts {
  const ids = new Map<string, number>();
  const df = new Growing((n) => new Int32Array(n));
  const idx = new Growing((n) => new Int32Array(n));
  const val = new Growing((n) => new Float32Array(n));
  const start = new Int32Array(texts.length + 1);
  texts.forEach((text, t) => {
    for (const [f, count] of features(text)) {
      let id = ids.get(f);
      if (id === undefined) {
        id = ids.size;
        ids.set(f, id);
        df.push(0);
      }
      df.data[id]!++;
      idx.push(id);
      val.push(count);
    }
    start[t + 1] = idx.length;
  });
  return { ids, df: df.done(), rows: { start, idx: idx.done(), val: val.done() } };
}

/**
 * TF-IDF rows (sublinear term frequency, L2-normalised) over a vocabulary: `id[f]` is a counted
 * feature's id in it, or −1 for a feature it leaves out.
 */
export function tfidfRows(counts: SparseRows, id: Int32Array, idf: Float32Array): SparseRows {
  const rows = counts.start.length - 1;
  const start = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    let kept = 0;
    for (let k = counts.start[r]!; k < counts.start[r + 1]!; k++) if (id[counts.idx[k]!]! >= 0) kept++;
    start[r + 1] = start[r]! + kept;
  }
  const idx = new Int32Array(start[rows]!);
  const val = new Float32Array(start[rows]!);
  const weight = (k: number) => (1 + Math.log(counts.val[k]!)) * idf[id[counts.idx[k]!]!]!;
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let k = counts.start[r]!; k < counts.start[r + 1]!; k++) {
      if (id[counts.idx[k]!]! < 0) continue;
      const v = weight(k);
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    let at = start[r]!;
    for (let k = counts.start[r]!; k < counts.start[r + 1]!; k++) {
      const f = id[counts.idx[k]!]!;
      if (f < 0) continue;
      idx[at] = f;
      val[at++] = weight(k) / norm;
    }
  }
  return { start, idx, val };
}

/** Feature-major sums per class: for feature f, entries start[f] … start[f + 1] − 1 of `classes` and `values`. */
export interface ClassSums {
  start: Int32Array;
  classes: Int32Array;
  values: Float64Array;
  /** Each class's squared L2 norm. */
  squared: Float64Array;
}

/**
 * Each class's weighted sum of its rows, feature-major (classes in increasing order within a
 * feature). One class at a time in a dense scratch row, so memory stays at the result's size.
 */
export function classSums(rows: SparseRows, labels: ArrayLike<number>, weights: ArrayLike<number>, classes: number, features: number): ClassSums {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let r = 0; r < labels.length; r++) byClass[labels[r]!]!.push(r);
  const scratch = new Float64Array(features);
  const seen = new Uint8Array(features);
  const touched = new Int32Array(features);
  const squared = new Float64Array(classes);
  // Pass 1: each class's features; pass 2 writes them feature-major.
  const perClass: { f: Int32Array; v: Float64Array }[] = [];
  const start = new Int32Array(features + 1);
  for (let c = 0; c < classes; c++) {
    let n = 0;
    for (const r of byClass[c]!) {
      const w = weights[r]!;
      for (let k = rows.start[r]!; k < rows.start[r + 1]!; k++) {
        const f = rows.idx[k]!;
        if (!seen[f]) {
          seen[f] = 1;
          touched[n++] = f;
        }
        scratch[f]! += w * rows.val[k]!;
      }
    }
    const f = touched.slice(0, n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      v[i] = scratch[f[i]!]!;
      squared[c]! += v[i]! * v[i]!;
      scratch[f[i]!] = 0;
      seen[f[i]!] = 0;
      start[f[i]! + 1]!++;
    }
    perClass.push({ f, v });
  }
  for (let f = 0; f < features; f++) start[f + 1]! += start[f]!;
  const fill = start.slice(0, features);
  const owner = new Int32Array(start[features]!);
  const values = new Float64Array(start[features]!);
  perClass.forEach(({ f, v }, c) => {
    for (let i = 0; i < f.length; i++) {
      const at = fill[f[i]!]!++;
      owner[at] = c;
      values[at] = v[i]!;
    }
  });
  return { start, classes: owner, values, squared };
}

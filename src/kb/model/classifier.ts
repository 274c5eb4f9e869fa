// A linear classifier over KB articles, trained from their example questions: one-vs-rest
// L2-loss linear SVMs (the dual coordinate descent of LIBLINEAR) on TF-IDF vectors of
// `features()`. Runs anywhere JavaScript does: the replica trains it after a sync, the eval
// trains the same one in Node. Deterministic for a given seed.
import { arrayAt, bytesOf, joined, lengthPrefix, padding, paddedHeader, sizeOf } from "./bytes.ts";
import { centroidsOf, type Centroids } from "./centroids.ts";
import { countFeatures, tfidfRows, type SparseRows } from "./feature-rows.ts";
import { features, isWordFeature } from "./features.ts";

export interface Example {
  text: string;
  /** Index into `classes`. */
  label: number;
  /** How much a mistake on this example costs, relative to others (default 1). */
  weight?: number;
}

export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface ClassifierModel {
  /** What each class stands for (article ids). */
  classes: string[];
  vocab: Map<string, number>;
  idf: Float32Array;
  /**
   * Feature-major, 16 bits each (half of float32: a replica holds the model it serves and the
   * one it trains within 128 MB): feature f's weight for class c is weights[f × classes + c] × scale[c].
   */
  weights: Int16Array;
  scale: Float32Array;
}

export interface TrainOptions {
  /** SVM cost: higher fits the training questions more tightly. */
  cost?: number;
  maxEpochs?: number;
  /** Cap on classes × features; rare features are dropped to stay under it. */
  maxWeights?: number;
  /** More classes than this (a large KB) get no model: full-text search ranks alone. */
  maxClasses?: number;
  seed?: number;
  /** Awaited between classes, so a Durable Object can serve requests while it trains. */
  pause?: () => Promise<void>;
}

const DEFAULTS = { cost: 1, maxEpochs: 12, maxWeights: 12_000_000, maxClasses: 2_000, seed: 1 };

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The TF-IDF vector of a text (sublinear term frequency, L2-normalised). */
export function vectorize(model: Pick<ClassifierModel, "vocab" | "idf">, text: string): SparseVector {
  return weigh(features(text), model.vocab, model.idf);
}

function weigh(counts: Map<string, number>, vocab: Map<string, number>, idf: Float32Array): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (const [f, count] of counts) {
    const id = vocab.get(f);
    if (id === undefined) continue;
    const v = (1 + Math.log(count)) * idf[id]!;
    idx.push(id);
    val.push(v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  return { idx: Int32Array.from(idx), val: Float32Array.from(val, (v) => v / norm) };
}

/**
 * A question's vector, and the share of its words (Latin words, Chinese character pairs)
 * the model has seen, weighted by rarity: off-topic questions are mostly made of words a KB
 * never uses.
 */
const rarestOf = new WeakMap<Float32Array, number>();
function rarestIdf(idf: Float32Array): number {
  let rarest = rarestOf.get(idf);
  if (rarest === undefined) {
    rarest = 0;
    for (const v of idf) rarest = Math.max(rarest, v);
    rarestOf.set(idf, rarest);
  }
  return rarest;
}

export function queryVector(model: Pick<ClassifierModel, "vocab" | "idf">, text: string): { x: SparseVector; coverage: number } {
  const counts = features(text);
  // Words weigh by how rare they are in the KB; a word it never uses weighs as the rarest.
  const rarest = rarestIdf(model.idf);
  let all = 0;
  let known = 0;
  for (const f of counts.keys()) {
    if (!isWordFeature(f)) continue;
    const id = model.vocab.get(f);
    const weight = id === undefined ? rarest : model.idf[id]!;
    all += weight;
    if (id !== undefined) known += weight;
  }
  return { x: weigh(counts, model.vocab, model.idf), coverage: all ? known / all : 0 };
}

/** Decision values of every class for a vector (higher is more likely). */
export function decisionValues(model: ClassifierModel, x: SparseVector): Float32Array {
  const c = model.classes.length;
  const out = new Float32Array(c);
  for (let k = 0; k < x.idx.length; k++) {
    const base = x.idx[k]! * c;
    const v = x.val[k]!;
    for (let j = 0; j < c; j++) out[j]! += model.weights[base + j]! * v;
  }
  for (let j = 0; j < c; j++) out[j]! *= model.scale[j]!;
  return out;
}

/** Stores class `cls`'s weights (`weight(f)` for each of `v` features) as 16-bit integers and a scale. */
function quantize(weight: (f: number) => number, v: number, cls: number, model: Pick<ClassifierModel, "weights" | "scale">): void {
  const c = model.scale.length;
  let max = 0;
  for (let f = 0; f < v; f++) max = Math.max(max, Math.abs(weight(f)));
  const scale = Math.fround(max / 32767) || 1;
  model.scale[cls] = scale;
  for (let f = 0; f < v; f++) model.weights[f * c + cls] = Math.round(weight(f) / scale);
}

/** Whether `trainClassifier` would train a model for these examples (at least two classes present, not too many). */
export function trainable(classes: string[], examples: Example[], options: Pick<TrainOptions, "maxClasses"> = {}): boolean {
  return new Set(examples.map((e) => e.label)).size >= 2 && classes.length <= (options.maxClasses ?? DEFAULTS.maxClasses);
}

/**
 * The examples' TF-IDF rows over their vocabulary: every feature, unless classes × features
 * would exceed the cap; then the rarest go (the fewest texts have them). The counts they come
 * from are left behind for the collector before the solver runs.
 */
function trainingRows(examples: Example[], classes: number, maxWeights: number): { vocab: Map<string, number>; idf: Float32Array; xs: SparseRows } {
  const counted = countFeatures(examples.map((e) => e.text));
  const n = examples.length;
  const atLeast = new Int32Array(n + 2);
  for (const d of counted.df) atLeast[d]!++;
  for (let d = n; d >= 1; d--) atLeast[d]! += atLeast[d + 1]!;
  let minDf = 1;
  while (atLeast[minDf]! * classes > maxWeights) minDf++;
  const remap = Int32Array.from(counted.df, (_, id) => id);
  let vocab = counted.ids;
  if (minDf > 1) {
    vocab = new Map();
    for (const [k, id] of counted.ids) {
      if (counted.df[id]! < minDf) remap[id] = -1;
      else vocab.set(k, (remap[id] = vocab.size));
    }
  }
  const idf = new Float32Array(vocab.size);
  counted.df.forEach((d, id) => remap[id]! >= 0 && (idf[remap[id]!] = Math.log((1 + n) / (1 + d)) + 1));
  return { vocab, idf, xs: tfidfRows(counted.rows, remap, idf) };
}

/** Trains on the examples; null when there is nothing to learn (fewer than two classes) or too much. */
export async function trainClassifier(classes: string[], examples: Example[], options: TrainOptions = {}): Promise<ClassifierModel | null> {
  return (await train(classes, examples, options))?.model ?? null;
}

/** Trains on the examples, and builds each class's centroid from the same rows (centroids.ts). */
export async function trainWithCentroids(classes: string[], examples: Example[], options: TrainOptions = {}): Promise<{ classifier: ClassifierModel; centroids: Centroids } | null> {
  const trained = await train(classes, examples, options);
  return trained && { classifier: trained.model, centroids: centroidsOf(trained.xs, examples, classes.length, trained.model.vocab.size) };
}

/** The model, and the rows it was trained on (for the centroids). */
async function train(classes: string[], examples: Example[], options: TrainOptions): Promise<{ model: ClassifierModel; xs: SparseRows } | null> {
  const { cost, maxEpochs, maxWeights, seed } = { ...DEFAULTS, ...options };
  if (!trainable(classes, examples, options)) return null;
  const present = new Set(examples.map((e) => e.label));
  const { vocab, idf, xs } = trainingRows(examples, classes.length, maxWeights);
  const n = examples.length;
  const v = vocab.size;
  const c = classes.length;
  const model = { classes, vocab, idf, weights: new Int16Array(v * c), scale: new Float32Array(c) };
  const w = new Float64Array(v);
  const alpha = new Float64Array(n);
  // L2-loss SVM: an example's cost enters the dual as a diagonal term 1 / (2 C_i).
  const diag = Float64Array.from(examples, (e) => 0.5 / (cost * (e.weight ?? 1)));
  const qii = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = xs.start[i]!; k < xs.start[i + 1]!; k++) qii[i]! += xs.val[k]! * xs.val[k]!;
    qii[i]! += diag[i]!;
  }
  const labels = Int32Array.from(examples, (e) => e.label);
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let cls = 0; cls < c; cls++) {
    if (!present.has(cls)) continue;
    w.fill(0);
    alpha.fill(0);
    solveBinary(xs, (i) => (labels[i] === cls ? 1 : -1), w, alpha, qii, diag, maxEpochs, random, order);
    quantize((f) => w[f]!, v, cls, model);
    await options.pause?.();
  }
  return { model, xs };
}

/**
 * One binary L2-loss SVM by dual coordinate descent with shrinking (LIBLINEAR's solver):
 * examples far on the right side of the margin leave the active set, so later epochs only
 * revisit the few that matter.
 */
function solveBinary(
  xs: SparseRows,
  label: (i: number) => 1 | -1,
  w: Float64Array,
  alpha: Float64Array,
  qii: Float64Array,
  diag: Float64Array,
  maxEpochs: number,
  random: () => number,
  order: Int32Array,
): void {
  const { start, idx, val } = xs;
  const eps = 0.1;
  let active = order.length;
  for (let i = 0; i < order.length; i++) order[i] = i;
  let pgMaxOld = Infinity;
  let pgMinOld = -Infinity;
  for (let epoch = 0; epoch < maxEpochs * 3; epoch++) {
    for (let i = active - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let s = 0; s < active; s++) {
      const i = order[s]!;
      const y = label(i);
      let wx = 0;
      for (let k = start[i]!; k < start[i + 1]!; k++) wx += w[idx[k]!]! * val[k]!;
      const g = y * wx - 1 + alpha[i]! * diag[i]!;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          // Shrink: swap out of the active part and look at what moved in.
          active--;
          order[s] = order[active]!;
          order[active] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else pg = g;
      pgMax = Math.max(pgMax, pg);
      pgMin = Math.min(pgMin, pg);
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i]!;
        alpha[i] = Math.max(old - g / qii[i]!, 0);
        const d = (alpha[i]! - old) * y;
        for (let k = start[i]!; k < start[i + 1]!; k++) w[idx[k]!]! += d * val[k]!;
      }
    }
    if (pgMax - pgMin <= eps) {
      if (active === order.length) break;
      // Converged on the active set: check everything once more before stopping.
      active = order.length;
      pgMaxOld = Infinity;
      pgMinOld = -Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    pgMinOld = pgMin >= 0 ? -Infinity : pgMin;
  }
}

/**
 * The model's bytes (bytes.ts), in parts: the header's length and a JSON header, then idf and
 * scale as float32 and the weights as int16, padded to whole words.
 */
export function modelParts(model: ClassifierModel): Uint8Array[] {
  const header = paddedHeader({ classes: model.classes, vocab: [...model.vocab.keys()], format: "i16" });
  const parts = [lengthPrefix(header.byteLength), header, bytesOf(model.idf), bytesOf(model.scale), bytesOf(model.weights)];
  return [...parts, padding(sizeOf(parts))];
}

export function encodeModel(model: ClassifierModel): Uint8Array {
  return joined(modelParts(model));
}

/** A model from its bytes; its arrays are views into them when aligned. Models stored as float32 (before "i16") are converted. */
export function decodeModel(bytes: Uint8Array): ClassifierModel {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as { classes: string[]; vocab: string[]; format?: "i16" };
  const v = header.vocab.length;
  const c = header.classes.length;
  const at = 4 + headerLength;
  const model = { classes: header.classes, vocab: new Map(header.vocab.map((k, i) => [k, i])), idf: arrayAt(Float32Array, bytes, at, v) };
  if (header.format === "i16") return { ...model, scale: arrayAt(Float32Array, bytes, at + 4 * v, c), weights: arrayAt(Int16Array, bytes, at + 4 * (v + c), v * c) };
  const floats = arrayAt(Float32Array, bytes, at + 4 * v, v * c);
  const converted = { ...model, weights: new Int16Array(v * c), scale: new Float32Array(c) };
  for (let cls = 0; cls < c; cls++) quantize((f) => floats[f * c + cls]!, v, cls, converted);
  return converted;
}

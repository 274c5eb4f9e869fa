// A linear classifier over KB articles, trained from their example questions: one-vs-rest
// L2-loss linear SVMs (the dual coordinate descent of LIBLINEAR) on TF-IDF vectors of
// `features()`. Runs anywhere JavaScript does: the replica trains it after a sync, the eval
// trains the same one in Node. Deterministic for a given seed.
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
  /** Feature-major: weights[f * classes.length + c]. */
  weights: Float32Array;
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
  return out;
}

/** Trains on the examples; null when there is nothing to learn (fewer than two classes) or too much. */
export async function trainClassifier(classes: string[], examples: Example[], options: TrainOptions = {}): Promise<ClassifierModel | null> {
  const { cost, maxEpochs, maxWeights, maxClasses, seed } = { ...DEFAULTS, ...options };
  const present = new Set(examples.map((e) => e.label));
  if (present.size < 2 || classes.length > maxClasses) return null;
  const counted = examples.map((e) => features(e.text));

  // Vocabulary: every feature, unless classes × features would exceed the cap.
  const df = new Map<string, number>();
  for (const f of counted) for (const k of f.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  let minDf = 1;
  while ([...df.values()].filter((d) => d >= minDf).length * classes.length > maxWeights) minDf++;
  const vocab = new Map<string, number>();
  for (const [k, d] of df) if (d >= minDf) vocab.set(k, vocab.size);
  const n = examples.length;
  const idf = new Float32Array(vocab.size);
  for (const [k, id] of vocab) idf[id] = Math.log((1 + n) / (1 + df.get(k)!)) + 1;
  const xs = counted.map((f) => weigh(f, vocab, idf));

  const v = vocab.size;
  const c = classes.length;
  const weights = new Float32Array(v * c);
  const w = new Float64Array(v);
  const alpha = new Float64Array(n);
  // L2-loss SVM: an example's cost enters the dual as a diagonal term 1 / (2 C_i).
  const diag = examples.map((e) => 0.5 / (cost * (e.weight ?? 1)));
  const qii = xs.map((x, i) => x.val.reduce((s, a) => s + a * a, 0) + diag[i]!);
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let cls = 0; cls < c; cls++) {
    if (!present.has(cls)) continue;
    w.fill(0);
    alpha.fill(0);
    solveBinary(xs, (i) => (examples[i]!.label === cls ? 1 : -1), w, alpha, qii, diag, maxEpochs, random, order);
    for (let f = 0; f < v; f++) weights[f * c + cls] = w[f]!;
    await options.pause?.();
  }
  return { classes, vocab, idf, weights };
}

/**
 * One binary L2-loss SVM by dual coordinate descent with shrinking (LIBLINEAR's solver):
 * examples far on the right side of the margin leave the active set, so later epochs only
 * revisit the few that matter.
 */
function solveBinary(
  xs: SparseVector[],
  label: (i: number) => 1 | -1,
  w: Float64Array,
  alpha: Float64Array,
  qii: number[],
  diag: number[],
  maxEpochs: number,
  random: () => number,
  order: Int32Array,
): void {
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
      const x = xs[i]!;
      const y = label(i);
      let wx = 0;
      for (let k = 0; k < x.idx.length; k++) wx += w[x.idx[k]!]! * x.val[k]!;
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
        for (let k = 0; k < x.idx.length; k++) w[x.idx[k]!]! += d * x.val[k]!;
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

/** The model as bytes, for storage: a JSON header, then idf and weights as float32. */
export function encodeModel(model: ClassifierModel): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ classes: model.classes, vocab: [...model.vocab.keys()] }));
  const out = new Uint8Array(4 + header.byteLength + (model.idf.byteLength + model.weights.byteLength));
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  // Float32 data is copied byte for byte; readers are little-endian like every runtime we run on.
  out.set(new Uint8Array(model.idf.buffer, model.idf.byteOffset, model.idf.byteLength), 4 + header.byteLength);
  out.set(new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength), 4 + header.byteLength + model.idf.byteLength);
  return out;
}

export function decodeModel(bytes: Uint8Array): ClassifierModel {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as { classes: string[]; vocab: string[] };
  const v = header.vocab.length;
  const body = bytes.slice(4 + headerLength);
  const floats = new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4);
  return {
    classes: header.classes,
    vocab: new Map(header.vocab.map((k, i) => [k, i])),
    idf: floats.slice(0, v),
    weights: floats.slice(v),
  };
}

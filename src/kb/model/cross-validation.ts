// Held-out points for fitting a KB's tuning: cross-validation folds over its articles. Each
// fold trains without some of the texts a customer might type (example questions and
// titles, scored as new in-scope questions) and without a few whole articles (their texts
// become questions the KB cannot answer), and also scores generic off-topic messages.
// Questions learned from customers train every fold and are never scored in scope.
import { similarities, type Centroids } from "./centroids.ts";
import { decisionValues, queryVector, seededRandom, trainWithCentroids, type ClassifierModel, type TrainOptions } from "./classifier.ts";
import { OFF_TOPIC } from "./off-topic.ts";
import { modelSignals, signalsOf, type Signals } from "./signals.ts";
import type { TrainingSet } from "./training.ts";
import type { FoldSemantic, FusedPoint, SemanticFolds } from "../semantic/semantic-folds.ts";
import { rerankView, type RerankView } from "../semantic/rerank-fusion.ts";
import type { RerankTuner } from "../semantic/rerank-folds.ts";

export interface TuningPoint extends Signals {
  kind: "in" | "left_out" | "off_topic";
  /** In scope, and the classifier ranked the right article first / among the first three. */
  correct: boolean;
  inTop3: boolean;
  weight: number;
  /** With embeddings: the same point scored with the semantic signal, once per fusion weight (semantic-folds.ts). */
  fused?: FusedPoint[];
  /** With a reranker: what the point's question is and its fold ranked best (rerank-folds.ts scores them after the pass). */
  reranking?: { query: string; label: number | null; view: RerankView<number> };
}

export interface CrossValidationOptions {
  /** Language of the KB's articles, for its generic off-topic messages. */
  language: string;
  /** How the KB's classifier is trained: each fold's model is trained the same way. */
  train?: TrainOptions;
  /** Awaited between folds. */
  pause?: () => Promise<void>;
  seed?: number;
  /** Embeddings of the KB's texts: each point is scored with the semantic signal too, and a second tuning fitted on it. */
  semantic?: SemanticFolds;
  /** A reranker: each point keeps its fold's best articles, for a third tuning fitted with the rerank signal. */
  rerank?: RerankTuner;
}

/** Above this many example×class products, one fold instead of four (training is the cost). */
const SMALL_KB = 300_000;
/** At most this many held-out questions and left-out questions are scored per fold. */
const MAX_SCORED = 1_500;
/** The share of articles each fold leaves out. */
const LEFT_OUT = 0.08;

/** Scores a text (an example by index, or a generic message) against a fold's model, ignoring the classes in `skip`. */
function score(model: ClassifierModel, centroids: Centroids, text: string, skip: Set<number>, semantic?: { fold: FoldSemantic; query: number | string; label: number | null }, rerank?: { label: number | null }): Signals & { ranked: number[]; fused?: FusedPoint[]; reranking?: TuningPoint["reranking"] } {
  const { x, coverage } = queryVector(model, text);
  const values = decisionValues(model, x);
  const ranked = [...values.keys()].filter((i) => !skip.has(i)).sort((a, b) => values[b]! - values[a]!);
  const near = similarities(centroids, x);
  const fused = semantic?.fold.score(semantic.query, semantic.label, values, ranked, coverage, near);
  const view = rerank && { query: text, label: rerank.label, view: rerankView(values, ranked, coverage, near, (c) => c) };
  return { ...signalsOf(modelSignals(values, ranked, coverage, near)), ranked: ranked.slice(0, 3), ...(fused && { fused }), ...(view && { reranking: view }) };
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Held-out points from cross-validation folds over the training set; deterministic for a seed. */
export async function crossValidate(set: TrainingSet, options: CrossValidationOptions): Promise<{ points: TuningPoint[]; folds: number }> {
  const random = seededRandom(options.seed ?? 7);
  const c = set.classes.length;
  // What a customer might type: each article's example questions and its title.
  const askable: number[][] = set.classes.map(() => []);
  set.examples.forEach((e, i) => (set.isQuestion[i] || set.isTitle[i]) && !set.isLearned[i] && askable[e.label]!.push(i));
  const folds = set.examples.length * c <= SMALL_KB ? 4 : 1;
  const order = shuffled([...set.classes.keys()], random);
  const leftPerFold = Math.max(1, Math.round(c * LEFT_OUT));
  // Askable texts are held out by position within their article (one position per fold),
  // or, with one fold, about 15% of them at random.
  const heldIn = new Map<number, number>();
  for (const list of askable) shuffled(list, random).forEach((i, p) => heldIn.set(i, folds > 1 ? p % folds : random() < 0.15 ? 0 : -1));
  // Learned questions are never held out in scope: they are the questions the KB already
  // answered rightly or offered rightly (those it answered wrongly were marked not helpful and
  // never confirmed), so held out they would hide the very mistakes the budget counts. They
  // train every fold; those of a fold's left-out articles are scored as questions it cannot answer.
  set.isLearned.forEach((learned, i) => learned && heldIn.set(i, -1));
  const points: TuningPoint[] = [];
  const generic = OFF_TOPIC[options.language] ?? [];
  for (let fold = 0; fold < folds; fold++) {
    const leftOut = new Set(order.slice(fold * leftPerFold, (fold + 1) * leftPerFold));
    if (leftOut.size >= c - 1) break;
    const held = (i: number) => heldIn.get(i) === fold;
    const train = set.examples.filter((e, i) => !leftOut.has(e.label) && !held(i));
    const trained = await trainWithCentroids(set.classes, train, options.train);
    if (!trained) continue;
    const { classifier: model, centroids } = trained;
    const semantic = options.semantic?.fold(held);
    const indexed = set.examples.map((e, i) => ({ e, i }));
    const inScope = indexed.filter(({ e, i }) => !leftOut.has(e.label) && held(i));
    const outside = indexed.filter(({ e, i }) => leftOut.has(e.label) && heldIn.has(i));
    for (const { e, i } of shuffled(inScope, random).slice(0, MAX_SCORED)) {
      const { ranked, ...s } = score(model, centroids, e.text, leftOut, semantic && { fold: semantic, query: i, label: e.label }, options.rerank && { label: e.label });
      points.push({ ...s, kind: "in", correct: ranked[0] === e.label, inTop3: ranked.includes(e.label), weight: 1 });
    }
    const outsider = (text: string, kind: "left_out" | "off_topic", query: number | string): TuningPoint => {
      const { ranked: _ranked, ...s } = score(model, centroids, text, leftOut, semantic && { fold: semantic, query, label: null }, options.rerank && { label: null });
      return { ...s, kind, correct: false, inTop3: false, weight: 1 };
    };
    for (const { e, i } of shuffled(outside, random).slice(0, MAX_SCORED)) points.push(outsider(e.text, "left_out", i));
    for (const text of generic) points.push(outsider(text, "off_topic", text));
    await options.pause?.();
  }
  return { points, folds };
}

// The pure parts of the semantic signals: stored vectors, the fused ranking, the folds that
// score held-out questions with their own vectors, the fusion weight's choice, and the
// calibration's off path. Vectors come from the FAKE embedder (hashed character n-grams).
import { describe, expect, it } from "vitest";
import type { TuningPoint } from "../../src/kb/model/cross-validation.ts";
import { modelSignals, signalsOf } from "../../src/kb/model/signals.ts";
import { trainingSet } from "../../src/kb/model/training.ts";
import { calibrated, PRIOR_TUNING, sigmoid } from "../../src/kb/model/tuning.ts";
import { checkedVectors, EmbeddingError } from "../../src/kb/semantic/embedder.ts";
import { fuse, FUSION_POOL, FUSION_WEIGHTS, poolSimilarities } from "../../src/kb/semantic/fusion.ts";
import { semanticFolds, type FusedPoint } from "../../src/kb/semantic/semantic-folds.ts";
import { buildIndex, classSimilarity, decodeVectors, encodeVectors, MAX_VECTORS_PER_ARTICLE, rowSimilarity, vectorTexts } from "../../src/kb/semantic/vectors.ts";
import { fakeVector } from "../support/fake-embeddings.ts";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe("stored vectors", () => {
  it("round-trip as int8 within 1% of their cosine, grouped by class in the model's order", () => {
    const texts = ["How long does a refund take?", "When will I get my money back?", "Where is my parcel?"];
    const vectors = texts.map(fakeVector);
    const index = buildIndex("fake", ["b", "a", "gone"], new Map([["a", encodeVectors(vectors.slice(0, 2))], ["b", encodeVectors(vectors.slice(2))]]))!;
    expect([...index.start]).toEqual([0, 1, 3, 3]);
    const query = fakeVector("how long until my refund");
    expect(rowSimilarity(index, 1, query)).toBeCloseTo(dot(vectors[0]!, query), 2);
    expect(classSimilarity(index, 1, query)).toBeCloseTo(Math.max(dot(vectors[0]!, query), dot(vectors[1]!, query)), 2);
    // An article the model knows but the copy no longer holds has no vectors: never similar.
    expect(classSimilarity(index, 2, query)).toBe(-1);
    expect(decodeVectors(encodeVectors(vectors)).dims).toBe(256);
  });

  it("are kept for the title, the example questions and the learned ones, at most 16 per article", () => {
    expect(vectorTexts({ title: "T", questions: ["q1", "q2"], learned: ["l1"] })).toEqual(["T", "q1", "q2", "l1"]);
    expect(vectorTexts({ title: "T", questions: Array.from({ length: 40 }, (_, i) => `q${i}`) })).toHaveLength(MAX_VECTORS_PER_ARTICLE);
  });

  it("a provider's answer is checked: count, shape, finite numbers; vectors come back unit length", () => {
    expect(checkedVectors([[3, 4]], 1)[0]).toEqual(Float32Array.from([0.6, 0.8]));
    for (const bad of [[[1, 2]], [[1, 2], [1]], [[1, "x"]], [[1, Infinity]], null]) expect(() => checkedVectors(bad, bad === null ? 1 : 2)).toThrow(EmbeddingError);
  });
});

describe("the fused ranking", () => {
  const values = Float32Array.from([0.9, 0.8, 0.1, -0.5]);
  const ranked = [0, 1, 2, 3];
  const sims = [0.2, 0.9, 0.5, 0.99];

  it("with fusion 0 is the classifier's own ranking and signals, plus the best article's similarity", () => {
    const f = fuse(values, ranked, poolSimilarities(ranked, (c) => sims[c]!), 0, 0.7, null);
    expect(f.ranked).toEqual(ranked);
    expect([...f.values]).toEqual([...values]);
    expect(f.signals).toEqual({ ...modelSignals(values, ranked, 0.7, null), semantic: Math.fround(0.2) });
  });

  it("re-orders the classifier's best articles by decision value + fusion × similarity", () => {
    const f = fuse(values, ranked, poolSimilarities(ranked, (c) => sims[c]!), 4, 0.7, null);
    // 0.9 + 4 × 0.2, 0.8 + 4 × 0.9, 0.1 + 4 × 0.5, −0.5 + 4 × 0.99
    expect(f.ranked).toEqual([1, 3, 2, 0]);
    expect(f.signals.best).toBeCloseTo(4.4, 5);
    expect(f.signals.second).toBeCloseTo(3.46, 5);
    expect(f.signals.semantic).toBeCloseTo(0.9, 5);
  });

  it("only the classifier's best FUSION_POOL articles move; the rest stay below them, in order", () => {
    const n = FUSION_POOL + 5;
    const many = Float32Array.from({ length: n }, (_, i) => 1 - i / n);
    const order = [...many.keys()];
    const f = fuse(many, order, poolSimilarities(order, (c) => (c >= FUSION_POOL ? 1 : c === 3 ? 0.9 : 0)), 4, 1, null);
    expect(f.ranked[0]).toBe(3);
    expect(f.ranked.slice(FUSION_POOL)).toEqual(order.slice(FUSION_POOL));
    expect(f.values[FUSION_POOL]!).toBeLessThanOrEqual(Math.min(...f.ranked.slice(0, FUSION_POOL).map((c) => f.values[c]!)));
  });
});

describe("the semantic signal in cross-validation", () => {
  const articles = [
    { id: "en:refund", title: "Refund times", questions: ["When will I get my money back?", "How long does a refund take?"], answer: "Three days." },
    { id: "en:track", title: "Tracking an order", questions: ["Where is my parcel?"], answer: "Open Orders." },
  ];
  const set = trainingSet(articles);
  const texts = articles.map(vectorTexts);
  const index = buildIndex("fake", set.classes, new Map(articles.map((a, c) => [a.id, encodeVectors(texts[c]!.map(fakeVector))])))!;
  const folds = semanticFolds(set, texts, index, new Map([["who wrote hamlet", fakeVector("who wrote hamlet")]]))!;
  const values = Float32Array.from([0.5, 0.4]);
  const question = set.examples.findIndex((e) => e.text === "How long does a refund take?");

  it("scores a held-out question with its own vector against the texts its fold trains on, never against itself", () => {
    const seen = folds.fold(() => false).score(question, 0, values, [0, 1], 1, null)!;
    const held = folds.fold((i) => i === question).score(question, 0, values, [0, 1], 1, null)!;
    expect(seen).toHaveLength(FUSION_WEIGHTS.length);
    expect(seen[0]!.semantic).toBeCloseTo(1, 2);
    expect(held[0]!.semantic).toBeLessThan(0.9);
    expect(held[0]).toMatchObject({ correct: true, inTop3: true });
    // Generic off-topic messages by text; an answer sentence has no vector.
    expect(folds.fold(() => false).score("who wrote hamlet", null, values, [0, 1], 1, null)?.[0]).toMatchObject({ correct: false });
    const sentence = set.examples.findIndex((e, i) => !set.isQuestion[i] && !set.isTitle[i]);
    expect(folds.fold(() => false).score(sentence, 0, values, [0, 1], 1, null)).toBeUndefined();
  });

  it("refuses vectors that do not match the articles' texts (an older copy)", () => {
    expect(semanticFolds(set, [texts[0]!, [...texts[1]!, "new question"]], index, new Map())).toBeNull();
  });

  it("keeps the fusion weight that ranks the most held-out questions first (the smallest on ties), and fits a calibration that weighs `semantic`", () => {
    const point = (kind: TuningPoint["kind"], right: (k: number) => boolean, i: number): TuningPoint => {
      const s = { top: 0.2 + (i % 7) / 10, margin: (i % 5) / 10, coverage: 0.9, similarity: 0.5, agree: 1 };
      const fused: FusedPoint[] = FUSION_WEIGHTS.map((_, k) => ({ ...s, semantic: right(k) ? 0.8 : 0.3, correct: kind === "in" && right(k), inTop3: kind === "in" }));
      return { ...s, kind, correct: kind === "in" && i % 3 > 0, inTop3: kind === "in", weight: 1, fused };
    };
    // Weights 2 and 4 rank the same questions first, more than 0, 0.5 and 1 do.
    const points = [...Array.from({ length: 60 }, (_, i) => point("in", (k) => (k >= 3 ? i % 4 > 0 : i % 2 > 0), i)), ...Array.from({ length: 20 }, (_, i) => point("off_topic", () => false, i))];
    const tuning = folds.tune(points, { dataWeight: 0.5, maxWrong: 0.03 })!;
    expect(tuning).toMatchObject({ fusion: FUSION_WEIGHTS[3], space: "fake" });
    expect(tuning.calibration.inScope.semantic).toEqual(expect.any(Number));
    expect(tuning.calibration.correct.semantic).toEqual(expect.any(Number));
    expect(folds.tune(points.map(({ fused: _, ...p }) => p), { dataWeight: 0.5, maxWrong: 0.03 })).toBeNull();
  });
});

describe("the off path", () => {
  it("a calibration without a semantic weight ignores the signal: exactly the lexical probability", () => {
    const c = PRIOR_TUNING.calibration.inScope;
    const s = signalsOf({ best: 0.4, second: -0.2, coverage: 0.8, similarity: 0.6, agree: 1 });
    expect(s).not.toHaveProperty("semantic");
    const lexical = sigmoid(c.bias + c.top * s.top + c.margin * s.margin + c.coverage * s.coverage + c.similarity * s.similarity + c.agree * s.agree);
    expect(calibrated(c, s)).toBe(lexical);
    expect(calibrated(c, { ...s, semantic: 0.9 })).toBe(lexical);
    expect(calibrated({ ...c, semantic: 2 }, { ...s, semantic: 0.5 })).toBeCloseTo(sigmoid(Math.log(lexical / (1 - lexical)) + 1), 10);
  });
});

// Thresholds fitted to each KB from its own data: cross-validation over its example
// questions and titles, a prior by size, stored with the model, used by the policy.
import { describe, expect, it } from "vitest";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { planReply, type KbPort } from "../../src/answer/plan.ts";
import { centroidsOf } from "../../src/kb/model/centroids.ts";
import { encodeModel, trainClassifier } from "../../src/kb/model/classifier.ts";
import { decodeKbModel, encodeKbModel } from "../../src/kb/model/kb-model.ts";
import { trainingSet } from "../../src/kb/model/training.ts";
import { allowedWrong, chooseTuning, fitTuning, PRIOR_TUNING, type Tuning, type TuningPoint } from "../../src/kb/model/tuning.ts";
import type { Candidate, Retrieval } from "../../src/kb/retrieval.ts";
import { readSource } from "../../scripts/kb/source.ts";

const point = (kind: TuningPoint["kind"], margin: number, correct = false): TuningPoint => ({ top: margin - 0.5, margin, coverage: kind === "off_topic" ? 0.3 : 1, similarity: margin / 2, agree: correct ? 1 : 0, kind, correct, inTop3: correct || kind === "in", weight: 1 });

describe("choosing thresholds from held-out points", () => {
  const points = [
    ...Array.from({ length: 80 }, (_, i) => point("in", 1 + i / 80, true)),
    ...Array.from({ length: 20 }, (_, i) => point("in", 0.2 + i / 100)),
    ...Array.from({ length: 30 }, (_, i) => point("left_out", i / 100)),
    ...Array.from({ length: 30 }, (_, i) => point("off_topic", i / 200)),
  ];

  it("answers above the wrong answers and off-topic messages, and offers choices between", () => {
    const t = chooseTuning(points, PRIOR_TUNING, { dataWeight: 1, questionsPerArticle: 100 });
    expect(t.basis.expected.answeredWrong).toBeLessThanOrEqual(allowedWrong(100));
    expect(t.basis.expected.answeredRight).toBeGreaterThan(0.7);
    expect(t.basis.expected.offTopicAnswered).toBeLessThanOrEqual(0.05);
    expect(t.basis.expected.offTopicRejected).toBeGreaterThan(0.5);
    expect(t.basis).toMatchObject({ questions: 100, leftOutQuestions: 30, top1: 0.8 });
  });

  it("keeps the prior when the KB has nothing to go on or no weight, and departs from it with its own data", () => {
    const prior = { calibration: PRIOR_TUNING.calibration, answerAt: PRIOR_TUNING.answerAt, clarifyAt: PRIOR_TUNING.clarifyAt, minMargin: PRIOR_TUNING.minMargin };
    expect(chooseTuning([], PRIOR_TUNING, { dataWeight: 1, questionsPerArticle: 0 })).toMatchObject(prior);
    expect(chooseTuning(points, PRIOR_TUNING, { dataWeight: 0, questionsPerArticle: 100 })).toMatchObject(prior);
    const own = chooseTuning(points, PRIOR_TUNING, { dataWeight: 1, questionsPerArticle: 100 });
    expect(own.calibration).not.toEqual(PRIOR_TUNING.calibration);
    expect(own.minMargin).not.toBe(PRIOR_TUNING.minMargin);
  });

  it("allows more held-out errors to a KB with few example questions per article, whose held-out questions are harder than customers' ones", () => {
    expect(allowedWrong(4)).toBeGreaterThan(allowedWrong(20));
    expect(allowedWrong(20)).toBeGreaterThan(allowedWrong(100));
    expect(allowedWrong(100)).toBeLessThan(0.035);
  });
});

describe("fitting a KB's tuning by cross-validation", () => {
  const articles = readSource("kb/demo/en", {}).map((a) => ({ id: a.slug, title: a.title, questions: a.questions, answer: a.answer }));

  it("fits the demo KB from its own questions, deterministically, and says on what", async () => {
    const set = trainingSet(articles);
    const [a, b] = [await fitTuning(set, { language: "en" }), await fitTuning(set, { language: "en" })];
    expect(a).toEqual(b);
    expect(a.basis.folds).toBe(4);
    // Example questions and titles are held out once each (but not in the fold that leaves
    // their article out, where they are unanswerable questions instead).
    const askable = articles.reduce((n, x) => n + x.questions.length + 1, 0);
    expect(a.basis.questions).toBeLessThanOrEqual(askable);
    expect(a.basis.questions).toBeGreaterThan(askable * 0.7);
    expect(a.basis.leftOutQuestions).toBeGreaterThan(0);
    expect(a.basis.offTopic).toBeGreaterThan(100);
    expect(a.clarifyAt).toBeLessThan(a.answerAt);
    expect(a.answerAt).toBeGreaterThan(0.2);
    expect(a.answerAt).toBeLessThan(0.95);
    expect(a.basis.dataWeight).toBeGreaterThan(0.5);
  });

  it("travels with the model: stored, loaded, and older blobs without it still load", async () => {
    const set = trainingSet(articles.slice(0, 5));
    const classifier = (await trainClassifier(set.classes, set.examples))!;
    const tuning = await fitTuning(set, { language: "en" });
    const centroids = centroidsOf(classifier, set.examples);
    const stored = decodeKbModel(encodeKbModel({ classifier, centroids, exact: new Map([["where is my order", "track-order"]]), tuning }));
    expect(stored.centroids).toEqual(centroids);
    expect(stored.tuning).toEqual(tuning);
    expect(stored.exact.get("where is my order")).toBe("track-order");
    expect(stored.classifier?.classes).toEqual(classifier.classes);
    expect(decodeKbModel(encodeModel(classifier))).toMatchObject({ tuning: null, exact: new Map() });
  });
});

describe("the policy uses the KB's own thresholds", () => {
  const candidate = { id: "en:a", slug: "a", locale: "en", title: "A", answer: "Answer A.", tags: [], questions: [], version: 1, bm25: 2, decision: 0.1 } satisfies Candidate;
  const kbWith = (tuning: Tuning | null): KbPort => ({
    retrieve: async (): Promise<Retrieval> => ({ language: "en", candidates: [candidate], modelTop: { best: 0.1, second: -0.4, coverage: 1, similarity: 0.5, agree: 1 }, exact: false, tuning, kbVersion: 1, lagSeconds: 0, stale: false }),
  });
  // All coefficients zero: every question is in scope with P 0.5 and right with P 0.5 if so.
  const zero = { bias: 0, top: 0, margin: 0, coverage: 0, similarity: 0, agree: 0 };
  const base = { calibration: { inScope: zero, correct: zero }, minMargin: 0, basis: {} as Tuning["basis"] };

  it.each<[string, Partial<Tuning>, string]>([
    ["a KB whose threshold the confidence reaches answers", { answerAt: 0.2, clarifyAt: 0.1 }, "answer"],
    ["a stricter KB offers choices instead", { answerAt: 0.3, clarifyAt: 0.4 }, "clarify"],
    ["a KB that judges the question off-topic says so", { answerAt: 0.9, clarifyAt: 0.7 }, "out_of_scope"],
    ["a near-tie between two articles is asked about, however confident", { answerAt: 0.2, clarifyAt: 0.1, minMargin: 0.6 }, "clarify"],
  ])("%s", async (_name, thresholds, type) => {
    const plan = await planReply("a question", "en", INITIAL_DIALOGUE, kbWith({ ...base, ...thresholds } as Tuning));
    expect(plan.inScope).toBeCloseTo(0.5);
    expect(plan.confidence).toBeCloseTo(0.25);
    expect(plan.decision.type).toBe(type);
  });
});

// Whether a tuning fitted with an optional signal (embeddings, reranker) is used: unless
// cross-validation says it answers clearly fewer held-out questions rightly.
import { describe, expect, it } from "vitest";
import { markHelpful, PRIOR_TUNING, type Tuning } from "../../src/kb/model/tuning.ts";

function tuning(questions: number, answeredRight: number): Tuning {
  const expected = { answeredRight, answeredWrong: 0.01, offeredRight: 0.5, offTopicAnswered: 0.05, offTopicRejected: 0.8 };
  return { ...PRIOR_TUNING, basis: { questions, leftOutQuestions: 0, offTopic: 0, folds: 4, top1: 0.9, top3: 0.95, dataWeight: 0.8, maxWrong: 0.03, allowedWrong: 0.01, labelNoise: 0, wrongBound: 0.01, expected } };
}

describe("a tuning with an optional signal", () => {
  it("is marked unhelpful (kept for its space, never used) when it answers clearly fewer held-out questions rightly (the FAKE reranker on clinc150-small: 74.5% of 330 against 61.9% of 294)", () => {
    expect(markHelpful(tuning(330, 0.745), tuning(294, 0.619))).toEqual({ ...tuning(294, 0.619), unhelpful: true });
    expect(markHelpful(tuning(1000, 0.8), tuning(1000, 0.77))?.unhelpful).toBe(true);
  });

  it("is kept when it answers as many or more, or a few questions fewer (noise on a small KB)", () => {
    const better = tuning(330, 0.8);
    expect(markHelpful(tuning(330, 0.745), better)).toBe(better);
    const faq = tuning(15, 0);
    expect(markHelpful(tuning(15, 0.067), faq)).toBe(faq);
    const close = tuning(1000, 0.79);
    expect(markHelpful(tuning(1000, 0.8), close)).toBe(close);
  });

  it("is absent when none was fitted", () => {
    expect(markHelpful(tuning(330, 0.745), null)).toBeUndefined();
    expect(markHelpful(tuning(330, 0.745), undefined)).toBeUndefined();
  });
});

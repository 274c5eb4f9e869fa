// The answer threshold an error budget allows: the most right answers with the upper bound
// on wrong ones within the budget (src/kb/model/budget.ts).
import { describe, expect, it } from "vitest";
import { chooseAnswerThreshold, EXPECTED_Z, labelNoise, mislabelled, wilsonLower, wilsonUpper, type BudgetOptions, type LabelledQuestion, type ScoredQuestion } from "../../src/kb/model/budget.ts";

/** `right` questions answered rightly and `wrong` wrongly at each confidence (the wrong ones spread among the right ones). */
function questions(levels: Array<[confidence: number, right: number, wrong: number]>, margin = 1): ScoredQuestion[] {
  return levels.flatMap(([confidence, right, wrong]) =>
    Array.from({ length: right + wrong }, (_, i) => ({ confidence, margin, correct: Math.floor(((i + 1) * wrong) / (right + wrong)) === Math.floor((i * wrong) / (right + wrong)) })),
  );
}

/** The same, where `far` of the wrong ones at each confidence have their label nowhere near the top (the margin stands for the confidence). */
function labelled(levels: Array<[confidence: number, right: number, wrong: number, far: number]>): LabelledQuestion[] {
  return levels.flatMap(([confidence, right, wrong, far]) =>
    questions([[confidence, right, wrong]]).map((q, i, all) => ({ margin: confidence, correct: q.correct, inTop3: q.correct || all.slice(0, i).filter((p) => !p.correct).length >= far })),
  );
}

const options = (o: Partial<BudgetOptions> = {}): BudgetOptions => ({ maxWrong: 0.03, offTopic: [], maxOffTopic: 0.05, margins: [0], ...o });

describe("Wilson bounds", () => {
  it.each([
    [0, 100],
    [3, 100],
    [30, 1000],
    [1, 10],
  ])("%i in %i lies between its bounds, which narrow with more data", (k, n) => {
    expect(wilsonLower(k, n)).toBeLessThanOrEqual(k / n);
    expect(wilsonUpper(k, n)).toBeGreaterThan(k / n);
    expect(wilsonUpper(k * 10, n * 10) - wilsonLower(k * 10, n * 10)).toBeLessThan(wilsonUpper(k, n) - wilsonLower(k, n));
  });

  it("says nothing is known without data", () => {
    expect(wilsonUpper(0, 0)).toBe(1);
    expect(wilsonLower(0, 0)).toBe(0);
  });
});

describe("choosing the answer threshold within the budget", () => {
  // 1,000 questions: wrong answers thicken as confidence falls.
  const many = questions([
    [0.9, 400, 0],
    [0.8, 200, 2],
    [0.7, 100, 8],
    [0.6, 80, 20],
    [0.5, 60, 40],
    [0.4, 40, 50],
  ]);

  it.each<[string, number, number, number]>([
    // budget, expected threshold, expected right share
    ["1% stops where the mistakes thicken", 0.01, 0.8, 0.6],
    ["3% goes as low as the wrong answers' upper bound allows", 0.03, 0.7, 0.7],
    ["10% goes lower still", 0.1, 0.5, 0.84],
    ["60% answers everything", 0.6, 0.4, 0.88],
  ])("a budget of %s", (_name, maxWrong, answerAt, right) => {
    const choice = chooseAnswerThreshold(many, options({ maxWrong }));
    expect(choice.answerAt).toBe(answerAt);
    expect(choice.right).toBeCloseTo(right, 3);
    expect(choice.wrongBound).toBeLessThanOrEqual(maxWrong);
    expect(choice.wrong).toBeLessThan(choice.wrongBound);
  });

  it("holds the upper bound, not the rate, to the budget: few questions stay safe", () => {
    // Scaled down 20 times: at 0.7 the rate is still 0.5%, the bound is not.
    const few = questions([
      [0.9, 20, 0],
      [0.8, 10, 0],
      [0.7, 5, 0],
      [0.6, 4, 1],
      [0.5, 3, 2],
    ]);
    const choice = chooseAnswerThreshold(few, options({ maxWrong: 0.03 }));
    // 50 questions: even none wrong has an upper bound above 3%, so nothing is answered.
    expect(wilsonUpper(0, few.length)).toBeGreaterThan(0.03);
    expect(choice.right).toBe(0);
    expect(choice.answerAt).toBeGreaterThan(0.9);
    // With a budget the bound can meet, the threshold stops above the first wrong answer.
    const looser = chooseAnswerThreshold(few, options({ maxWrong: 0.06 }));
    expect(looser.answerAt).toBe(0.7);
    expect(looser.wrongBound).toBeLessThanOrEqual(0.06);
  });

  it("bounds the calibration's estimate of the wrong answers where given, not the count", () => {
    // 330 questions, two confident mistakes at the very top: counted, the bound on two wrong
    // (1.45%) is over a 1.2% budget from the first level on; estimated by the calibration
    // (a 1% chance of a wrong article up there, more below), the threshold goes much lower.
    const few = questions([
      [0.95, 98, 2],
      [0.9, 100, 0],
      [0.8, 100, 0],
      [0.5, 10, 20],
    ]);
    const expected = few.map((q) => ({ ...q, expectedWrong: q.confidence >= 0.8 ? 0.01 : 0.5 }));
    expect(chooseAnswerThreshold(few, options({ maxWrong: 0.012 })).right).toBe(0);
    const choice = chooseAnswerThreshold(expected, options({ maxWrong: 0.012, z: EXPECTED_Z }));
    expect(choice.answerAt).toBe(0.8);
    expect(choice.wrongBound).toBeLessThanOrEqual(0.012);
    expect(choice.wrong).toBeCloseTo(2 / 330, 5);
    // A few dozen questions still keep the margin for what they have not seen: the bound on
    // none wrong in 50 is above 3%, however right the calibration expects them to be.
    const fifty = questions([[0.9, 50, 0]]).map((q) => ({ ...q, expectedWrong: 0.001 }));
    expect(chooseAnswerThreshold(fifty, options({ maxWrong: 0.03, z: EXPECTED_Z })).right).toBe(0);
  });

  it("estimates label noise from wrong answers whose label the classifier ranks nowhere near the top", () => {
    // 10% of labels wrong at every confidence, their articles far down the ranking; the
    // classifier's own mistakes (below 0.7) are confusions with a close runner-up.
    const noisy = labelled([
      [0.9, 900, 100, 100],
      [0.8, 450, 50, 50],
      [0.6, 250, 250, 25],
    ]);
    // A lower bound: somewhat less than the 10% there is.
    expect(labelNoise(noisy)).toBeGreaterThan(0.07);
    expect(labelNoise(noisy)).toBeLessThan(0.1);
    expect(noisy.filter(mislabelled)).toHaveLength(175);
  });

  it("finds no label noise in a clean KB, nor in one whose mistakes are merely many", () => {
    expect(labelNoise(labelled([[0.9, 400, 0, 0], [0.8, 200, 2, 1], [0.7, 100, 8, 2], [0.5, 60, 40, 10]]))).toBe(0);
    // Few confident mistakes at the very top, many further down, some of them far: a hard KB, not a noisy one.
    const hard = labelled([
      [0.9, 30, 1, 1],
      [0.8, 40, 20, 10],
      [0.7, 40, 40, 20],
      [0.6, 30, 60, 30],
    ]);
    expect(labelNoise(hard)).toBeLessThan(0.01);
    // Too few questions to tell: a small KB's confident mistakes count as its own.
    expect(labelNoise(labelled([[0.9, 80, 20, 20]]))).toBe(0);
    expect(labelNoise(labelled([[0.9, 240, 60, 60]]))).toBeGreaterThan(0.1);
  });
});

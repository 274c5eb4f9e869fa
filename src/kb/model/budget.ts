// The answer threshold a KB's error budget allows (ANSWER_MAX_WRONG): the lowest confidence
// at which the in-scope held-out questions answered with a wrong article stay within the
// budget, judged by an upper confidence bound on their rate rather than the rate itself, so
// that a KB with few held-out questions keeps a margin for what it has not seen. The tuning
// (tuning.ts) counts each answered question's probability of a wrong article by its
// calibration rather than whether it was wrong: with a few hundred held-out questions and a
// budget of about 1%, counting lets the first confident mistake decide the threshold (the
// bound on none wrong in 330 is already 0.5%, on one 1.0%), so it jumped from fit to fit as
// the KB learned. The bound never goes below that on none wrong (at about 90%): a KB with a
// few dozen held-out questions still answers little. Pure: the tuning passes in the held-out
// points it scored.

/** How many standard errors the bounds allow for (one-sided, about 90%). */
export const BOUND_Z = 1.28;
/**
 * The same for a wrong-answer count estimated by the calibration (one-sided, about 60%): it
 * draws on every held-out question, not only the few wrong ones above the threshold, and
 * is already smooth (clinc150-small, 330 held-out questions: 1.28 answered 26% of the test
 * rightly at 0.8% wrong, 0.5 39% at 1.3%, 0.25 43% at 2.1%, 0 46% at 2.6%, where counting gave
 * 45% at 2.3%).
 */
export const EXPECTED_Z = 0.25;

/** One-sided Wilson score bounds on a rate of `k` in `n`. */
export function wilsonUpper(k: number, n: number, z = BOUND_Z): number {
  if (n <= 0) return 1;
  const p = Math.min(1, Math.max(0, k / n));
  const z2 = z * z;
  return Math.min(1, (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

export function wilsonLower(k: number, n: number, z = BOUND_Z): number {
  if (n <= 0) return 0;
  const p = Math.min(1, Math.max(0, k / n));
  const z2 = z * z;
  return Math.max(0, (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

/** A held-out in-scope question as the threshold search sees it. */
export interface ScoredQuestion {
  /** P(in scope and right), by the KB's calibration. */
  confidence: number;
  /** How far the best article's decision value is ahead of the runner-up's. */
  margin: number;
  /** The best article is the one the question is filed under. */
  correct: boolean;
  /** The probability that the best article is wrong, by the KB's calibration; without it, whether it is (`correct`). */
  expectedWrong?: number;
}

/** What a question's label looks like beside the classifier's ranking. */
export interface LabelledQuestion {
  margin: number;
  correct: boolean;
  /** The article the question is filed under is among the classifier's best three. */
  inTop3: boolean;
}

/** The most confident shares of held-out questions, where a mislabelled question shows… */
const MOST_CONFIDENT = [0.1, 0.25];
/** …each of at least this many questions: a small KB's few confident mistakes are its own. */
const MIN_CONFIDENT = 30;

/**
 * The share of held-out questions that look filed under the wrong article. A mislabelled
 * question is ranked like any question of its true article, so the classifier is "wrong"
 * about it at every confidence, and the article it is filed under is one of the others at
 * random, far down the ranking; a real mistake is mostly a confusion with a close second or
 * third. So: the rate of wrong answers whose label is not even among the best three, among
 * the most confident tenth and quarter (by margin), as a lower bound, whichever is lower: a
 * floor shows in both, whereas a clean KB's rare confident mistakes (or a hard KB's many
 * middling ones) are not explained away.
 */
export function labelNoise(questions: LabelledQuestion[]): number {
  const sorted = [...questions].sort((a, b) => b.margin - a.margin);
  return Math.min(
    ...MOST_CONFIDENT.map((share) => {
      const top = sorted.slice(0, Math.floor(sorted.length * share));
      return top.length < MIN_CONFIDENT ? 0 : wilsonLower(top.filter(mislabelled).length, top.length);
    }),
  );
}

/** Above this label noise a KB counts as noisy: its held-out questions that look mislabelled are set aside. */
export const NOISY = 0.03;

/** A wrong answer whose label the classifier does not even rank among the best three. */
export function mislabelled(q: LabelledQuestion): boolean {
  return !q.correct && !q.inTop3;
}

export interface BudgetOptions {
  /** The share of in-scope questions that may be answered with a wrong article. */
  maxWrong: number;
  /** Generic off-topic messages (their `correct` is ignored), and the share of them that may be answered. */
  offTopic: Array<Omit<ScoredQuestion, "correct">>;
  maxOffTopic: number;
  /** Candidate minimum margins; the best pair of threshold and margin wins. */
  margins: number[];
  /** Standard errors the bound on the wrong answers allows for: BOUND_Z by default, EXPECTED_Z for calibrated estimates. */
  z?: number;
}

export interface BudgetChoice {
  /** Answer at or above this confidence (above every question when none fits the budget). */
  answerAt: number;
  minMargin: number;
  /** Shares of the in-scope questions. */
  right: number;
  wrong: number;
  /** The upper bound on the (estimated) wrong share that was held to the budget. */
  wrongBound: number;
}

/**
 * The threshold and minimum margin that answer the most in-scope questions rightly while
 * the upper bound on those answered wrongly (by their expectedWrong, where given) stays
 * within the budget (and generic off-topic messages answered within theirs).
 */
export function chooseAnswerThreshold(questions: ScoredQuestion[], options: BudgetOptions): BudgetChoice {
  const n = questions.length;
  const byConfidence = [...questions].sort((a, b) => b.confidence - a.confidence);
  const offTopic = [...options.offTopic].sort((a, b) => b.confidence - a.confidence);
  let best: BudgetChoice = { answerAt: Math.min(1, (byConfidence[0]?.confidence ?? 0) + 1e-6), minMargin: options.margins[0] ?? 0, right: 0, wrong: 0, wrongBound: wilsonUpper(0, n) };
  for (const minMargin of options.margins) {
    let answered = 0;
    let wrong = 0;
    let expected = 0;
    let off = 0;
    let offAnswered = 0;
    for (let i = 0; i < n; ) {
      const level = byConfidence[i]!.confidence;
      // Every question at this confidence goes in together.
      for (; i < n && byConfidence[i]!.confidence === level; i++) {
        const q = byConfidence[i]!;
        if (q.margin < minMargin) continue;
        answered++;
        if (!q.correct) wrong++;
        expected += q.expectedWrong ?? (q.correct ? 0 : 1);
      }
      for (; off < offTopic.length && offTopic[off]!.confidence >= level; off++) if (offTopic[off]!.margin >= minMargin) offAnswered++;
      // Never below the bound on none wrong in n at BOUND_Z: the margin a KB with few held-out questions keeps for what it has not seen.
      const bound = Math.max(wilsonUpper(expected, n, options.z ?? BOUND_Z), wilsonUpper(0, n));
      if (bound > options.maxWrong || offAnswered > options.maxOffTopic * offTopic.length) break;
      const right = (answered - wrong) / n;
      if (right > best.right) best = { answerAt: level, minMargin, right, wrong: wrong / n, wrongBound: bound };
    }
  }
  return best;
}

// How likely the top candidate is to be the right article: a logistic calibration of the
// retrieval's signals. With a classifier: its best decision value, its margin over the
// runner-up, and whether full-text search agrees. Without one: BM25 strength and margin.
// Coefficients were fitted on validation splits held out of BANKING77's and CLINC150's
// training data (`npm run eval -- --calibrate`), never on a test split.
import type { Retrieval } from "../kb/retrieval.ts";

export interface Calibration {
  model: { bias: number; top: number; margin: number; agree: number };
  text: { bias: number; strength: number; margin: number };
}

export const DEFAULT_CALIBRATION: Calibration = {
  model: { bias: -0.82, top: 0.34, margin: 3.47, agree: 0.62 },
  text: { bias: -3, strength: 5, margin: 2.5 },
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The features the calibration weighs, for the eval's fitting and for tests. */
export function confidenceFeatures(retrieval: Pick<Retrieval, "candidates" | "modelTop">): { kind: "model"; top: number; margin: number; agree: number } | { kind: "text"; strength: number; margin: number } | null {
  const [first, runnerUp] = retrieval.candidates;
  if (!first) return null;
  if (retrieval.modelTop && first.decision !== null) {
    const { best, second } = retrieval.modelTop;
    // Full-text search agrees when its best hit is the classifier's best class.
    const topBm25 = Math.max(...retrieval.candidates.map((c) => c.bm25 ?? 0));
    return { kind: "model", top: best, margin: best - second, agree: first.bm25 !== null && first.bm25 >= topBm25 ? 1 : 0 };
  }
  const b1 = first.bm25 ?? 0;
  const b2 = runnerUp?.bm25 ?? 0;
  return { kind: "text", strength: b1 / (b1 + 5), margin: b1 > 0 ? (b1 - b2) / b1 : 0 };
}

/** Probability that the first candidate answers the question. */
export function confidenceOf(retrieval: Pick<Retrieval, "candidates" | "modelTop">, calibration: Calibration = DEFAULT_CALIBRATION): number {
  const f = confidenceFeatures(retrieval);
  if (!f) return 0;
  if (f.kind === "model") {
    const c = calibration.model;
    return sigmoid(c.bias + c.top * f.top + c.margin * f.margin + c.agree * f.agree);
  }
  const c = calibration.text;
  return sigmoid(c.bias + c.strength * f.strength + c.margin * f.margin);
}

// How likely the top candidate is to be the right article: a logistic calibration of the
// retrieval's signals. With a classifier: its best decision value, its margin over the
// runner-up, and the share of the question's words the KB knows, weighed as fitted on this
// KB's own questions when the replica trained it (src/kb/model/tuning.ts), else by the
// prior fitted on BANKING77's and CLINC150's validation splits. Without one: BM25 strength
// and margin. An exact example question or title is certain.
import { calibrated, PRIOR_TUNING, type Calibration as ModelCalibration } from "../kb/model/tuning.ts";
import type { Retrieval } from "../kb/retrieval.ts";

export interface Calibration {
  model: ModelCalibration;
  text: { bias: number; strength: number; margin: number };
}

export const DEFAULT_CALIBRATION: Calibration = {
  model: PRIOR_TUNING.calibration,
  text: { bias: -3, strength: 5, margin: 2.5 },
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

type Signals = Pick<Retrieval, "candidates" | "modelTop" | "exact" | "tuning">;

/** The features the calibration weighs, for the eval's fitting and for tests. */
export function confidenceFeatures(retrieval: Signals): { kind: "model"; top: number; margin: number; coverage: number } | { kind: "text"; strength: number; margin: number } | null {
  const [first, runnerUp] = retrieval.candidates;
  if (!first) return null;
  if (retrieval.modelTop && first.decision !== null) {
    const { best, second, coverage } = retrieval.modelTop;
    return { kind: "model", top: best, margin: best - second, coverage };
  }
  const b1 = first.bm25 ?? 0;
  const b2 = runnerUp?.bm25 ?? 0;
  return { kind: "text", strength: b1 / (b1 + 5), margin: b1 > 0 ? (b1 - b2) / b1 : 0 };
}

/** Probability that the first candidate answers the question. */
export function confidenceOf(retrieval: Signals, calibration: Calibration = DEFAULT_CALIBRATION): number {
  if (retrieval.exact && retrieval.candidates.length) return 1;
  const f = confidenceFeatures(retrieval);
  if (!f) return 0;
  if (f.kind === "model") return calibrated(retrieval.tuning?.calibration ?? calibration.model, f.top, f.margin, f.coverage);
  const c = calibration.text;
  return sigmoid(c.bias + c.strength * f.strength + c.margin * f.margin);
}

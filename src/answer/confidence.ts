// How likely the top candidate is to be the right article, and how likely the question is
// one the KB covers at all: logistic calibrations of the retrieval's signals. With a
// classifier: its best decision value and margin, the share of the question's words the KB
// knows, the similarity to the best article's centroid and whether the nearest centroid
// agrees, weighed as fitted on this KB's own questions when the replica trained it
// (src/kb/model/tuning.ts), else by the prior fitted on BANKING77's and CLINC150's
// validation splits. Without one: BM25 strength and margin. An exact example question or
// title is certain.
import { PRIOR_TUNING, probabilities, signalsOf, type Signals, type Tuning } from "../kb/model/tuning.ts";
import type { Retrieval } from "../kb/retrieval.ts";

export interface Calibration {
  model: Tuning["calibration"];
  text: { bias: number; strength: number; margin: number };
}

export const DEFAULT_CALIBRATION: Calibration = {
  model: PRIOR_TUNING.calibration,
  text: { bias: -3, strength: 5, margin: 2.5 },
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

type RetrievalSignals = Pick<Retrieval, "candidates" | "modelTop" | "exact" | "tuning">;

/** The features the calibration weighs, for the eval's fitting and for tests. */
export function confidenceFeatures(retrieval: RetrievalSignals): ({ kind: "model" } & Signals) | { kind: "text"; strength: number; margin: number } | null {
  const [first, runnerUp] = retrieval.candidates;
  if (!first) return null;
  if (retrieval.modelTop && first.decision !== null) return { kind: "model", ...signalsOf(retrieval.modelTop) };
  const b1 = first.bm25 ?? 0;
  const b2 = runnerUp?.bm25 ?? 0;
  return { kind: "text", strength: b1 / (b1 + 5), margin: b1 > 0 ? (b1 - b2) / b1 : 0 };
}

/** P(the question is in scope) and P(the first candidate answers it). */
export function assess(retrieval: RetrievalSignals, calibration: Calibration = DEFAULT_CALIBRATION): { inScope: number; confidence: number } {
  if (retrieval.exact && retrieval.candidates.length) return { inScope: 1, confidence: 1 };
  const f = confidenceFeatures(retrieval);
  if (!f) return { inScope: 0, confidence: 0 };
  if (f.kind === "model") return probabilities({ calibration: retrieval.tuning?.calibration ?? calibration.model }, f);
  const c = calibration.text;
  const p = sigmoid(c.bias + c.strength * f.strength + c.margin * f.margin);
  return { inScope: p, confidence: p };
}

/** Probability that the first candidate answers the question. */
export function confidenceOf(retrieval: RetrievalSignals, calibration: Calibration = DEFAULT_CALIBRATION): number {
  return assess(retrieval, calibration).confidence;
}

// Text normalisation for matching: Unicode NFKC (which also folds full-width letters,
// digits and punctuation to their half-width forms), lower case, Traditional Chinese folded
// to Simplified, one space between words.
import { foldTraditional } from "./hanzi.ts";

/** Normalised text: what both the index and queries are built from. */
export function normalize(text: string): string {
  return foldTraditional(text.normalize("NFKC").toLowerCase()).replace(/\s+/g, " ").trim();
}

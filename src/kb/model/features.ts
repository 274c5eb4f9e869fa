// Features for the KB classifier: what a question looks like to a linear model. Latin
// script gives stemmed words, word pairs, character n-grams inside words (robust to typos
// and inflections) and across word boundaries (phrases such as "log in" or "sign up");
// Chinese gives character 1- to 3-grams of each run of Han characters (robust to
// segmentation). Both give the support-vocabulary concepts they mention (lexicon.ts), so
// that "nicked" learns from "stolen". Stop words are kept: "can I" and "how do I" help tell
// intents apart.
import { conceptsOf } from "../text/lexicon.ts";
import { normalize } from "../text/normalize.ts";
import { stem } from "../text/stem.ts";

const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+)/gu;
const CHAR_MIN = 2;
const CHAR_MAX = 5;
/** A concept counts as much as a word repeated this often: a few shared words must not drown it. */
const CONCEPT_COUNT = 3;

/** Feature counts of a text. */
export function features(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (f: string, n = 1) => out.set(f, (out.get(f) ?? 0) + n);
  const normalised = normalize(text);
  let phrase: string[] = [];
  const crossWords = () => {
    // Character 3- to 5-grams that span a space, within one run of Latin words.
    const s = ` ${phrase.join(" ")} `;
    for (let n = 3; n <= 5; n++) for (let i = 0; i + n <= s.length; i++) if (s.slice(i + 1, i + n - 1).includes(" ")) add(`x:${s.slice(i, i + n)}`);
    phrase = [];
  };
  let previous: string | null = null;
  for (const m of normalised.matchAll(RUNS)) {
    if (m[1]) {
      const chars = [...m[1]];
      for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= chars.length; i++) add(`h:${chars.slice(i, i + n).join("")}`);
      previous = null;
      crossWords();
      continue;
    }
    const word = m[2]!;
    const stemmed = stem(word);
    add(`w:${stemmed}`);
    if (previous) add(`b:${previous}_${stemmed}`);
    previous = stemmed;
    phrase.push(word);
    const padded = ` ${word} `;
    for (let n = CHAR_MIN; n <= CHAR_MAX; n++) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
  }
  crossWords();
  for (const concept of conceptsOf(normalised)) add(`k:${concept}`, CONCEPT_COUNT);
  return out;
}

/** Whether a feature is a word or a Chinese character pair: what "known words" counts. */
export function isWordFeature(feature: string): boolean {
  return feature.startsWith("w:") || (feature.startsWith("h:") && [...feature].length === 4);
}

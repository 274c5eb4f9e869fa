// Features for the KB classifier: what a question looks like to a linear model. Latin
// script gives stemmed words, word pairs and character n-grams inside word boundaries
// (robust to typos and inflections); Chinese gives character 1- to 3-grams of each run of
// Han characters (robust to segmentation). Stop words are kept: "can I" and "how do I" help
// tell intents apart.
import { normalize } from "../text/normalize.ts";
import { stem } from "../text/stem.ts";

const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+)/gu;
const CHAR_MIN = 2;
const CHAR_MAX = 5;

/** Feature counts of a text. */
export function features(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const add = (f: string) => out.set(f, (out.get(f) ?? 0) + 1);
  let previous: string | null = null;
  for (const m of normalize(text).matchAll(RUNS)) {
    if (m[1]) {
      const chars = [...m[1]];
      for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= chars.length; i++) add(`h:${chars.slice(i, i + n).join("")}`);
      previous = null;
      continue;
    }
    const word = m[2]!;
    const stemmed = stem(word);
    add(`w:${stemmed}`);
    if (previous) add(`b:${previous}_${stemmed}`);
    previous = stemmed;
    const padded = ` ${word} `;
    for (let n = CHAR_MIN; n <= CHAR_MAX; n++) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`);
  }
  return out;
}

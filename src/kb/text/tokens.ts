// Turns text into search tokens for Latin and Chinese scripts alike. Latin words are
// lower-cased, stop words dropped and stemmed. Chinese has no spaces, so each run of Han
// characters gives its words (Intl.Segmenter, available in workerd and Node), its
// character bigrams and its informative single characters: a two-character word such as
// 退款 or 订单 is both a segmenter word and a bigram, so it always matches.
import { normalize } from "./normalize.ts";
import { stem } from "./stem.ts";
import { CHINESE_STOP_CHARS, ENGLISH_STOPWORDS } from "./stopwords.ts";

const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+)/gu;
const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** Tokens of one run of Han characters. */
function hanTokens(run: string, out: string[]): void {
  const chars = [...run];
  for (const c of chars) if (!CHINESE_STOP_CHARS.has(c)) out.push(c);
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  if (chars.length > 2) {
    for (const { segment, isWordLike } of segmenter.segment(run)) {
      if (isWordLike && [...segment].length > 2) out.push(segment);
    }
  }
}

/** All tokens of a text, in order, with repeats (for indexing). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of normalize(text).matchAll(RUNS)) {
    if (m[1]) hanTokens(m[1], out);
    else if (m[2] && !ENGLISH_STOPWORDS.has(m[2])) out.push(stem(m[2]));
  }
  return out;
}

/** Distinct tokens of a query, at most `max`, longest (most specific) kept first. */
export function queryTokens(text: string, max = 24): string[] {
  const unique = [...new Set(tokenize(text))];
  if (unique.length <= max) return unique;
  return unique.sort((a, b) => [...b].length - [...a].length).slice(0, max);
}

/** The language part of a locale (`zh-CN` → `zh`), which index tokens are qualified by. */
export function languageOf(locale: string): string {
  return locale.split("-")[0]!.toLowerCase();
}

/** Tokens qualified by language (`en_refund`), as the replica's index stores them. */
export function qualified(tokens: string[], language: string): string[] {
  return tokens.map((t) => `${language}_${t}`);
}

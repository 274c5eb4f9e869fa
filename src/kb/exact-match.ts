// The exact-question guarantee: a customer who types an article's example question or its
// title, or a trivially different form of one (case, punctuation, spacing, full-width
// characters, Traditional Chinese), gets that article, whatever the classifier thinks.
// Clarifications send a suggested article's title as a quick reply, so this is also what
// makes choosing a suggestion answer it.
import { normalize } from "./text/normalize.ts";

const HAN = /\p{Script=Han}/u;

/** What two texts must share to count as the same question; empty for text without letters or digits. */
export function exactKey(text: string): string {
  // Apostrophes and hyphens inside a word join it: "can't" is "cant", "pre-order" is "preorder".
  const words = normalize(text).replace(/['’`]/g, "").replace(/(?<=[\p{L}\p{N}])[-‐‑–](?=[\p{L}\p{N}])/gu, "").match(/[\p{L}\p{N}]+/gu) ?? [];
  let key = "";
  for (const w of words) {
    // Spaces between Chinese and anything else are optional ("App 打不开", "App打不开").
    if (key && !HAN.test(key.at(-1)!) && !HAN.test(w[0]!)) key += " ";
    key += w;
  }
  return key;
}

export interface ExactSource {
  id: string;
  title: string;
  questions: string[];
}

/** Each key an article owns: its title's and example questions'. A key two articles share is nobody's. */
export function exactIndex(articles: ExactSource[]): Map<string, string> {
  const owner = new Map<string, string | null>();
  for (const a of articles) {
    for (const text of [a.title, ...a.questions]) {
      const key = exactKey(text);
      if (!key) continue;
      const current = owner.get(key);
      owner.set(key, current === undefined || current === a.id ? a.id : null);
    }
  }
  const index = new Map<string, string>();
  for (const [key, id] of owner) if (id) index.set(key, id);
  return index;
}

/** Among some articles, the one whose title or example question is this text, if exactly one is. */
export function exactAmong<T extends ExactSource>(text: string, articles: T[]): T | null {
  const key = exactKey(text);
  if (!key) return null;
  const owners = articles.filter((a) => [a.title, ...a.questions].some((q) => exactKey(q) === key));
  return owners.length === 1 ? owners[0]! : null;
}

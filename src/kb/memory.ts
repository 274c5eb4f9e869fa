// Recognising a question the replica has answered before, by its words: the same tokens
// give the same key, and a close enough overlap of tokens counts as the same question.
import { queryTokens } from "./text/tokens.ts";

/** The tokens of a question, sorted: what memory stores and compares. */
export function questionKey(question: string): string {
  return [...new Set(queryTokens(question, 32))].sort().join(" ");
}

/** Jaccard overlap of two keys' tokens. */
export function similarity(a: string, b: string): number {
  const x = new Set(a.split(" ").filter(Boolean));
  const y = new Set(b.split(" ").filter(Boolean));
  if (!x.size || !y.size) return 0;
  let both = 0;
  for (const t of x) if (y.has(t)) both++;
  return both / (x.size + y.size - both);
}

/** How alike a remembered question must be to count. */
export const SIMILAR_ENOUGH = 0.6;

/** The article of the remembered question most like `key`, if any is similar enough. */
export function bestRemembered(key: string, entries: Iterable<{ question: string; articleId: string }>): string | null {
  let best: { articleId: string; score: number } | null = null;
  for (const entry of entries) {
    const score = similarity(key, entry.question);
    if (score >= SIMILAR_ENOUGH && (!best || score > best.score)) best = { articleId: entry.articleId, score };
  }
  return best?.articleId ?? null;
}

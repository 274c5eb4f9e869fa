// What a replica search asks and answers, and how a query becomes an FTS5 expression.
import { qualified, queryTokens } from "./text/tokens.ts";

export interface SearchOptions {
  /** `zh-CN` matches that locale only; `zh` matches every zh-* locale. */
  locale?: string;
  limit?: number;
}

export interface SearchHit {
  id: string;
  slug: string;
  locale: string;
  title: string;
  answer: string;
  tags: string[];
  questions: string[];
  version: number;
  /** Relevance (BM25, higher is better); comparable within one search only. */
  score: number;
}

/** Freshness of the copy a search ran on. */
export interface ReplicaFreshness {
  kbVersion: number;
  /** Seconds since the replica last synced successfully; null if it never has. */
  lagSeconds: number | null;
  /** The last sync attempt failed, or the copy is older than two sync intervals. */
  stale: boolean;
}

export interface SearchResult extends ReplicaFreshness {
  hits: SearchHit[];
}

/** Column weights for BM25: title, example questions, answer. */
export const FIELD_WEIGHTS = [3, 2, 1] as const;

/**
 * How many postings a search may rank. Tokens are taken rarest first until this is used
 * up, so a large KB's very common tokens (which barely move BM25) cannot make one search
 * score tens of thousands of rows. Small KBs keep every token.
 */
export const POSTINGS_BUDGET = 2_000;

/**
 * The FTS5 MATCH expressions to try, in order, for a query in the given languages; empty
 * when nothing is searchable.
 */
export function matchPlan(query: string, languages: string[], docsOf: (tokens: string[]) => Map<string, number>): string[] {
  const plain = queryTokens(query);
  const tokens = languages.flatMap((language) => qualified(plain, language));
  if (!tokens.length) return [];
  const docs = docsOf(tokens);
  const known = tokens.filter((t) => (docs.get(t) ?? 0) > 0).sort((a, b) => docs.get(a)! - docs.get(b)!);
  if (!known.length) return [];
  // Tokens hold letters and digits only, so quoting them is enough to escape them.
  const quoted = (t: string) => `"${t}"`;
  const rarest = known[0]!;
  if (docs.get(rarest)! > POSTINGS_BUDGET && known.length > 1) {
    // Every token is common: require the two rarest together, else the rarest alone.
    return [`${quoted(rarest)} AND ${quoted(known[1]!)}`, quoted(rarest)];
  }
  const kept: string[] = [];
  let postings = 0;
  for (const t of known) {
    if (kept.length && postings + docs.get(t)! > POSTINGS_BUDGET) break;
    kept.push(t);
    postings += docs.get(t)!;
  }
  return [kept.map(quoted).join(" OR ")];
}

// What a replica search asks and answers, and how a query becomes an FTS5 expression.
import { queryTokens } from "./text/tokens.ts";

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

/** The FTS5 MATCH expression for a query, or null when nothing in it is searchable. */
export function matchExpression(query: string): string | null {
  const tokens = queryTokens(query);
  if (!tokens.length) return null;
  // Tokens hold letters and digits only, so quoting them is enough to escape them.
  return tokens.map((t) => `"${t}"`).join(" OR ");
}

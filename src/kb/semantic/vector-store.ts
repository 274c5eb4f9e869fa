// What the engine needs from the replica's storage to keep article vectors: which articles'
// vectors are missing or out of date, and the vectors themselves. Vectors are stamped with
// the article's version and its learned questions, and with the vector space they are in.

/** An article whose vectors must be computed (again): its stamp and the texts to embed (vectorTexts order). */
export interface StaleArticle {
  id: string;
  stamp: string;
  texts: string[];
}

export interface VectorStore {
  /** Up to `limit` articles of a language whose vectors in `space` are missing or stamped for an older version. */
  stale(language: string, space: string, limit: number): StaleArticle[];
  save(id: string, stamp: string, space: string, bytes: Uint8Array): void;
  /** Every article's vectors in a language (id → encoded vectors); null unless all are present and current. */
  load(language: string, space: string): Map<string, Uint8Array> | null;
  /** Drops the vectors of articles the copy no longer holds. */
  prune(): void;
  /** Articles with current vectors in `space`, for status. */
  count(space: string): number;
}

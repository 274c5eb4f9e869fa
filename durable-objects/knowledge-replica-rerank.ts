// KnowledgeReplicaDO's cache of training-time rerank scores (src/kb/semantic/rerank-folds.ts)
// in its SQLite: a score is reused while its space and its article's passage are the same.
import type { RerankCache, RerankPair } from "../src/kb/semantic/rerank-folds.ts";

export class ReplicaRerankCache implements RerankCache {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  get(space: string, pairs: RerankPair[]): Array<number | undefined> {
    return pairs.map(
      (p) =>
        this.sql
          .exec<{ score: number }>("SELECT score FROM rerank_scores WHERE query_hash = ? AND article_id = ? AND space = ? AND passage_hash = ?", p.queryHash, p.articleId, space, p.passageHash)
          .toArray()[0]?.score,
    );
  }

  put(space: string, pairs: RerankPair[], scores: number[]): void {
    pairs.forEach((p, i) =>
      this.sql.exec("INSERT OR REPLACE INTO rerank_scores (query_hash, article_id, space, passage_hash, score) VALUES (?, ?, ?, ?, ?)", p.queryHash, p.articleId, space, p.passageHash, scores[i]!),
    );
  }

  prune(): void {
    this.sql.exec("DELETE FROM rerank_scores WHERE article_id NOT IN (SELECT id FROM articles)");
  }

  /** Cached scores in `space`, for status. */
  count(space: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM rerank_scores WHERE space = ?", space).one().n;
  }
}

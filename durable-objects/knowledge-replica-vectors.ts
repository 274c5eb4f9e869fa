// KnowledgeReplicaDO's article vectors (src/kb/semantic) in its SQLite: one row per article,
// stamped with the article's version, its learned questions and the vector space, so that
// a sync's changed articles (and only they) are embedded again.
import type { StaleArticle, VectorStore } from "../src/kb/semantic/vector-store.ts";
import { vectorTexts } from "../src/kb/semantic/vectors.ts";

/**
 * The language's articles with their stamps ("epoch:version/learned count/latest learned
 * version"): a primary restored from a backup starts a new epoch and may reuse versions.
 */
const STAMPED = `
  WITH l AS (SELECT article_id, COUNT(*) AS n, MAX(version) AS v FROM learned WHERE locale = ?1 OR locale LIKE ?1 || '-%' GROUP BY article_id)
  SELECT a.doc, a.id, a.title, a.questions, (SELECT epoch FROM sync_state WHERE id = 1) || ':' || a.version || '/' || COALESCE(l.n, 0) || '/' || COALESCE(l.v, 0) AS stamp
    FROM articles a LEFT JOIN l ON l.article_id = a.id
   WHERE a.locale = ?1 OR a.locale LIKE ?1 || '-%'`;

export class ReplicaVectors implements VectorStore {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  stale(language: string, space: string, limit: number): StaleArticle[] {
    const rows = this.sql
      .exec<{ id: string; title: string; questions: string; stamp: string }>(
        `WITH s AS (${STAMPED})
         SELECT s.id, s.title, s.questions, s.stamp FROM s LEFT JOIN article_vectors v ON v.article_id = s.id
          WHERE v.article_id IS NULL OR v.space != ?2 OR v.stamp != s.stamp
          ORDER BY s.doc LIMIT ?3`,
        language,
        space,
        limit,
      )
      .toArray();
    if (!rows.length) return [];
    // Learned questions in the order the classifier trains on them (trainingArticles).
    const learned = new Map<string, string[]>();
    const ids = rows.map((r) => r.id);
    for (const r of this.sql.exec<{ article_id: string; text: string }>(
      `SELECT article_id, text FROM learned WHERE (locale = ?1 OR locale LIKE ?1 || '-%') AND article_id IN (${ids.map(() => "?").join(",")}) ORDER BY version`,
      language,
      ...ids,
    )) {
      learned.set(r.article_id, [...(learned.get(r.article_id) ?? []), r.text]);
    }
    return rows.map((r) => ({ id: r.id, stamp: r.stamp, texts: vectorTexts({ title: r.title, questions: JSON.parse(r.questions), learned: learned.get(r.id) ?? [] }) }));
  }

  save(id: string, stamp: string, space: string, bytes: Uint8Array): void {
    this.sql.exec("INSERT OR REPLACE INTO article_vectors (article_id, stamp, space, data) VALUES (?, ?, ?, ?)", id, stamp, space, bytes);
  }

  load(language: string, space: string): Map<string, Uint8Array> | null {
    if (this.stale(language, space, 1).length) return null;
    const rows = this.sql.exec<{ article_id: string; data: ArrayBuffer }>(
      "SELECT v.article_id, v.data FROM article_vectors v JOIN articles a ON a.id = v.article_id WHERE a.locale = ?1 OR a.locale LIKE ?1 || '-%'",
      language,
    );
    return new Map(rows.toArray().map((r) => [r.article_id, new Uint8Array(r.data)]));
  }

  prune(): void {
    this.sql.exec("DELETE FROM article_vectors WHERE article_id NOT IN (SELECT id FROM articles)");
  }

  count(space: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM article_vectors v JOIN articles a ON a.id = v.article_id WHERE v.space = ?", space).one().n;
  }
}

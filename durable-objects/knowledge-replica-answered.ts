// KnowledgeReplicaDO's memory of confidently answered questions (the `answered` table, by
// keyed question): what the chat's first screen offers as topics, and the popular questions
// a repeated one is matched against. Erasure forgets a customer's questions by key.

export class ReplicaAnswered {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** Counts a confidently answered question. */
  remember(key: string, language: string, articleId: string, at: number): void {
    this.sql.exec(
      "INSERT INTO answered (question, language, article_id, hits, last_at) VALUES (?, ?, ?, 1, ?) ON CONFLICT (language, question) DO UPDATE SET article_id = excluded.article_id, hits = hits + 1, last_at = excluded.last_at",
      key,
      language,
      articleId,
      at,
    );
  }

  /**
   * The language's most asked-about articles (by answered questions), then those tagged
   * `popular`, then the first ones in the KB: what the chat's first screen offers.
   */
  topics(language: string, limit: number): Array<{ id: string; title: string }> {
    const rows = this.sql
      .exec<{ id: string; title: string }>(
        `SELECT a.id, a.title FROM articles a
          LEFT JOIN (SELECT article_id, SUM(hits) AS hits FROM answered WHERE language = ?1 GROUP BY article_id) q ON q.article_id = a.id
          WHERE a.locale = ?1 OR a.locale LIKE ?1 || '-%'
          ORDER BY COALESCE(q.hits, 0) DESC, (a.tags LIKE '%"popular"%') DESC, a.doc
          LIMIT ?2`,
        language,
        limit,
      )
      .toArray();
    return rows.map((r) => ({ id: r.id, title: r.title }));
  }

  /** Removes remembered questions by key, in every language. */
  forget(keys: string[]): void {
    for (const key of keys) this.sql.exec("DELETE FROM answered WHERE question = ?", key);
  }

  /** The most popular remembered questions of a language, most answered first. */
  popular(language: string, limit: number): Array<{ question: string; articleId: string }> {
    return this.sql
      .exec<{ question: string; article_id: string }>("SELECT question, article_id FROM answered WHERE language = ? ORDER BY hits DESC LIMIT ?", language, limit)
      .toArray()
      .map((r) => ({ question: r.question, articleId: r.article_id }));
  }
}

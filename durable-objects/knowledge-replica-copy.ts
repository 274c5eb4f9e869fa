// The replica's article tables as a pair (rows and their FTS5 index), live or the new copy
// a large sync builds beside them: writing an article into either, copying the live ones
// over in batches, and swapping the new copy in. The new copy's tables are made from the
// live tables' own CREATE statements, so they follow whatever the migrations made.
import type { Article } from "../src/kb/article.ts";
import type { IndexedText } from "../src/kb/sync.ts";

export interface ArticleTables {
  articles: string;
  fts: string;
}

export const LIVE: ArticleTables = { articles: "articles", fts: "article_fts" };
export const NEXT: ArticleTables = { articles: "articles_next", fts: "article_fts_next" };
/** The fts5vocab table over the live index: how many articles hold each term. */
const VOCAB = "article_vocab";

/** Removes an article (by id) from a pair of tables, if it is there. */
export function removeArticle(sql: SqlStorage, t: ArticleTables, id: string): boolean {
  const doc = sql.exec<{ doc: number }>(`SELECT doc FROM ${t.articles} WHERE id = ?`, id).toArray()[0]?.doc;
  if (doc === undefined) return false;
  sql.exec(`DELETE FROM ${t.fts} WHERE rowid = ?`, doc);
  sql.exec(`DELETE FROM ${t.articles} WHERE doc = ?`, doc);
  return true;
}

/** Adds an article and its indexed text to a pair of tables. */
export function insertArticle(sql: SqlStorage, t: ArticleTables, a: Article, tokens: IndexedText): void {
  const { doc } = sql
    .exec<{ doc: number }>(
      `INSERT INTO ${t.articles} (id, slug, locale, title, answer, tags, questions, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING doc`,
      a.id,
      a.slug,
      a.locale,
      a.title,
      a.answer,
      JSON.stringify(a.tags),
      JSON.stringify(a.questions),
      a.version,
      a.updatedAt,
    )
    .one();
  sql.exec(`INSERT INTO ${t.fts} (rowid, title, questions, answer) VALUES (?, ?, ?, ?)`, doc, tokens.title, tokens.questions, tokens.answer);
}

/** The CREATE statement a table was made with (kept up to date by ALTER TABLE). */
function createStatement(sql: SqlStorage, name: string): string {
  const row = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", name).toArray()[0];
  if (!row) throw new Error(`no table ${name}`);
  return row.sql;
}

/** The statement for a table of another name (after an ALTER TABLE … RENAME the name is quoted). */
const renamed = (statement: string, from: string, to: string) => statement.replace(new RegExp(`^(CREATE (?:VIRTUAL )?TABLE )"?${from}"?`), `$1${to}`);

/** Empty tables for a new copy, shaped like the live ones (an unfinished earlier copy is dropped). */
export function createNext(sql: SqlStorage): void {
  for (const [live, next] of [
    [LIVE.articles, NEXT.articles],
    [LIVE.fts, NEXT.fts],
  ] as const) {
    sql.exec(`DROP TABLE IF EXISTS ${next}`);
    sql.exec(renamed(createStatement(sql, live), live, next));
  }
}

/**
 * Copies up to `limit` live articles with doc > `after` into the new copy, under the same
 * docs, rows and indexed text as they are (no JSON or tokenising). Copying a batch again
 * (a chunk cut short) replaces what it copied before. Returns the last doc copied, or null.
 */
export function copyLiveBatch(sql: SqlStorage, after: number, limit: number): number | null {
  const last = sql.exec<{ doc: number | null }>(`SELECT MAX(doc) AS doc FROM (SELECT doc FROM ${LIVE.articles} WHERE doc > ? ORDER BY doc LIMIT ?)`, after, limit).one().doc;
  if (last === null) return null;
  sql.exec(`DELETE FROM ${NEXT.fts} WHERE rowid > ? AND rowid <= ?`, after, last);
  sql.exec(`DELETE FROM ${NEXT.articles} WHERE doc > ? AND doc <= ?`, after, last);
  sql.exec(`INSERT INTO ${NEXT.articles} SELECT * FROM ${LIVE.articles} WHERE doc > ? AND doc <= ?`, after, last);
  sql.exec(`INSERT INTO ${NEXT.fts} (rowid, title, questions, answer) SELECT rowid, title, questions, answer FROM ${LIVE.fts} WHERE rowid > ? AND rowid <= ?`, after, last);
  return last;
}

/**
 * Makes the new copy live: the live tables are dropped and the new ones take their names;
 * the live table's indexes are made again on it, and the FTS5 vocabulary table over the
 * index is made again (an fts5vocab table keeps reading the dropped index until it is).
 * Call inside the sync's transaction.
 */
export function swapNext(sql: SqlStorage): void {
  const indexes = sql
    .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", LIVE.articles)
    .toArray()
    .map((r) => r.sql);
  const vocab = createStatement(sql, VOCAB);
  sql.exec(`DROP TABLE ${VOCAB}`);
  sql.exec(`DROP TABLE ${LIVE.fts}`);
  sql.exec(`DROP TABLE ${LIVE.articles}`);
  sql.exec(`ALTER TABLE ${NEXT.articles} RENAME TO ${LIVE.articles}`);
  sql.exec(`ALTER TABLE ${NEXT.fts} RENAME TO ${LIVE.fts}`);
  for (const statement of [...indexes, vocab]) sql.exec(statement);
}

// KnowledgeReplicaDO's SQLite store: the published articles, their FTS5 index, staged
// changes and sync state. Applying a sync (committing staged changes, or swapping in a new
// copy) is one synchronous transaction.
import type { Article } from "../src/kb/article.ts";
import { FIELD_WEIGHTS, matchPlan, type SearchHit, type SearchOptions } from "../src/kb/search.ts";
import type { LearnedChange } from "../src/kb/learning/questions.ts";
import type { Landing, ReplicaTarget, StagedChange, Staging } from "../src/kb/sync.ts";
import { languageOf } from "../src/kb/text/tokens.ts";
import type { TrainingArticle } from "../src/kb/model/training.ts";
import { copyLiveBatch, createNext, insertArticle, LIVE, NEXT, removeArticle, swapNext } from "./knowledge-replica-copy.ts";

/** Bytes per stored model chunk: below the 2 MB a Durable Object SQLite row may hold. */
const MODEL_CHUNK = 1_000_000;

type ArticleRow = {
  doc: number;
  id: string;
  slug: string;
  locale: string;
  title: string;
  answer: string;
  tags: string;
  questions: string;
  version: number;
  updated_at: number;
};

/** A published article as the copy holds it. */
export type CopiedArticle = Omit<Article, "deletedAt" | "status"> & { status: "published" };

export interface SyncState {
  version: number;
  epoch: number;
  primaryVersion: number;
  lastSyncAt: number | null;
  lastAttemptAt: number | null;
  failures: number;
  lastError: string | null;
}

const toHit = (r: ArticleRow & { score: number }): SearchHit => ({
  id: r.id,
  slug: r.slug,
  locale: r.locale,
  title: r.title,
  answer: r.answer,
  tags: JSON.parse(r.tags),
  questions: JSON.parse(r.questions),
  version: r.version,
  score: r.score,
});

export class ReplicaStore implements ReplicaTarget {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private languageCache: string[] | null = null;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  state(): SyncState {
    const r = this.sql
      .exec<{ version: number; epoch: number; primary_version: number; last_sync_at: number | null; last_attempt_at: number | null; failures: number; last_error: string | null }>(
        "SELECT * FROM sync_state WHERE id = 1",
      )
      .one();
    return { version: r.version, epoch: r.epoch, primaryVersion: r.primary_version, lastSyncAt: r.last_sync_at, lastAttemptAt: r.last_attempt_at, failures: r.failures, lastError: r.last_error };
  }

  version(): number {
    return this.state().version;
  }

  epoch(): number {
    return this.state().epoch;
  }

  articleCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM articles").one().n;
  }

  staging(): Staging | null {
    const r = this.sql
      .exec<{
        staging_cursor: number | null;
        staging_languages: string | null;
        staging_started_at: number | null;
        staging_pulled: number | null;
        staging_mode: string | null;
        staging_copied: number | null;
        staging_epoch: number | null;
        staging_full: number;
        primary_version: number;
        epoch: number;
      }>("SELECT staging_cursor, staging_languages, staging_started_at, staging_pulled, staging_mode, staging_copied, staging_epoch, staging_full, primary_version, epoch FROM sync_state WHERE id = 1")
      .one();
    if (r.staging_cursor === null) return null;
    return {
      cursor: r.staging_cursor,
      primaryVersion: r.primary_version,
      languages: JSON.parse(r.staging_languages ?? "[]"),
      startedAt: r.staging_started_at ?? 0,
      // A sync staged before these were kept counts its staged rows.
      pulled: r.staging_pulled ?? this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM staged_changes").one().n,
      mode: r.staging_mode === "copy" ? "copy" : "stage",
      copied: r.staging_copied,
      epoch: r.staging_epoch ?? r.epoch,
      full: r.staging_full === 1,
    };
  }

  setStaging(staging: Staging): void {
    this.sql.exec(
      // A resync starts its primary version again; any other sync only moves it on.
      "UPDATE sync_state SET staging_cursor = ?, staging_languages = ?, staging_started_at = ?, staging_pulled = ?, staging_mode = ?, staging_copied = ?, staging_epoch = ?, staging_full = ?, primary_version = CASE WHEN ?8 THEN ?9 ELSE MAX(primary_version, ?9) END",
      staging.cursor,
      JSON.stringify(staging.languages),
      staging.startedAt,
      staging.pulled,
      staging.mode,
      staging.copied,
      staging.epoch,
      staging.full ? 1 : 0,
      staging.primaryVersion,
    );
  }

  clearStaged(): void {
    this.sql.exec("DELETE FROM staged_changes");
    this.sql.exec("DELETE FROM staged_learned");
  }

  stageLearned(changes: LearnedChange[]): void {
    this.storage.transactionSync(() => {
      for (const c of changes) {
        this.sql.exec("INSERT OR REPLACE INTO staged_learned (id, article_id, locale, text, version) VALUES (?, ?, ?, ?, ?)", c.id, c.articleId, c.locale, c.text, c.version);
      }
    });
  }

  /** Active learned questions held. */
  learnedCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM learned").one().n;
  }

  stage(changes: StagedChange[]): void {
    this.storage.transactionSync(() => {
      for (const c of changes) {
        this.sql.exec(
          "INSERT OR REPLACE INTO staged_changes (version, id, article, tokens) VALUES (?, ?, ?, ?)",
          c.version,
          c.id,
          c.article ? JSON.stringify(c.article) : null,
          c.tokens ? JSON.stringify(c.tokens) : null,
        );
      }
    });
  }

  commit(version: number, primaryVersion: number, at: number, languages: string[], landing: Landing): number {
    return this.storage.transactionSync(() => {
      let applied = 0;
      // A batch at a time: the staged changes are not all held in memory.
      for (let after = -1; ; ) {
        const batch = this.sql
          .exec<{ version: number; id: string; article: string | null; tokens: string | null }>("SELECT * FROM staged_changes WHERE version > ? ORDER BY version LIMIT 500", after)
          .toArray();
        if (!batch.length) break;
        for (const change of batch) {
          // A draft or an article never published removes nothing the copy holds: not a change to it.
          const removed = removeArticle(this.sql, LIVE, change.id);
          if (change.article && change.tokens) insertArticle(this.sql, LIVE, JSON.parse(change.article), JSON.parse(change.tokens));
          if (removed || change.article) applied++;
        }
        after = batch[batch.length - 1]!.version;
      }
      this.sql.exec("DELETE FROM staged_changes");
      applied += this.applyLearned();
      this.synced(version, primaryVersion, at, applied ? languages : [], landing.epoch);
      return applied;
    });
  }

  beginCopy(): void {
    this.storage.transactionSync(() => createNext(this.sql));
  }

  copyLive(after: number, limit: number): number | null {
    return this.storage.transactionSync(() => copyLiveBatch(this.sql, after, limit));
  }

  applyToCopy(changes: StagedChange[]): void {
    this.storage.transactionSync(() => {
      for (const c of changes) {
        removeArticle(this.sql, NEXT, c.id);
        if (c.article && c.tokens) insertArticle(this.sql, NEXT, c.article, c.tokens);
      }
    });
  }

  swapCopy(version: number, primaryVersion: number, at: number, languages: string[], landing: Landing): void {
    this.storage.transactionSync(() => {
      // A resync replaces the copy: the languages it held train again too (on what remains, or none).
      const changed = landing.full ? [...new Set([...languages, ...this.languages()])] : languages;
      swapNext(this.sql);
      // What was learned in the replaced history goes too; the resync staged all that remains.
      if (landing.full) this.sql.exec("DELETE FROM learned");
      this.applyLearned();
      this.synced(version, primaryVersion, at, changed, landing.epoch, true);
    });
  }

  /** Applies the staged learned questions (inside the sync's transaction); how many changed. */
  private applyLearned(): number {
    const n = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM staged_learned").one().n;
    this.sql.exec("DELETE FROM learned WHERE id IN (SELECT id FROM staged_learned)");
    this.sql.exec("INSERT INTO learned (id, article_id, locale, text, version) SELECT id, article_id, locale, text, version FROM staged_learned WHERE text IS NOT NULL");
    this.sql.exec("DELETE FROM staged_learned");
    return n;
  }

  /** Records a sync that landed (inside its transaction): counts per term, models to train, state. */
  private synced(version: number, primaryVersion: number, at: number, changedLanguages: string[], epoch: number, reindexed = changedLanguages.length > 0): void {
    for (const language of changedLanguages) this.sql.exec("INSERT OR REPLACE INTO model_pending (language, version) VALUES (?, ?)", language, version);
    if (reindexed) {
      this.languageCache = null;
      this.sql.exec("DELETE FROM term_docs");
      this.sql.exec("INSERT INTO term_docs (term, docs) SELECT term, doc FROM article_vocab");
    }
    this.sql.exec(
      "UPDATE sync_state SET version = ?, epoch = ?, primary_version = ?, last_sync_at = ?, last_attempt_at = ?, failures = 0, last_error = NULL, staging_cursor = NULL, staging_languages = NULL, staging_started_at = NULL, staging_pulled = NULL, staging_mode = NULL, staging_copied = NULL, staging_epoch = NULL, staging_full = 0",
      version,
      epoch,
      primaryVersion,
      at,
      at,
    );
  }

  /** A chunk of a sync went through: the primary is reachable. */
  recordProgress(at: number): void {
    this.sql.exec("UPDATE sync_state SET last_attempt_at = ?, failures = 0, last_error = NULL", at);
  }

  recordFailure(at: number, error: string): void {
    this.sql.exec("UPDATE sync_state SET last_attempt_at = ?, failures = failures + 1, last_error = ?", at, error);
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const limit = Math.min(Math.max(options.limit ?? 5, 1), 50);
    const languages = options.locale ? [languageOf(options.locale)] : this.languages();
    // `zh-CN` narrows `zh` to one locale: over-fetch, then keep that locale's articles.
    const exact = options.locale?.includes("-") ? options.locale.toLowerCase() : null;
    for (const match of matchPlan(query, languages, (tokens) => this.docsOf(tokens))) {
      const hits = this.rank(match, exact ? limit * 3 : limit).filter((h) => !exact || h.locale.toLowerCase() === exact);
      if (hits.length) return hits.slice(0, limit);
    }
    return [];
  }

  /** The languages the copy holds articles in. */
  languages(): string[] {
    this.languageCache ??= [...new Set(this.sql.exec<{ locale: string }>("SELECT DISTINCT locale FROM articles").toArray().map((r) => languageOf(r.locale)))];
    return this.languageCache;
  }

  /** How many articles contain each token. */
  private docsOf(tokens: string[]): Map<string, number> {
    const rows = this.sql.exec<{ term: string; docs: number }>(`SELECT term, docs FROM term_docs WHERE term IN (${tokens.map(() => "?").join(",")})`, ...tokens);
    return new Map(rows.toArray().map((r) => [r.term, r.docs]));
  }

  /** The best `limit` matches, ranked inside the index before any article row is read. */
  private rank(match: string, limit: number): SearchHit[] {
    const [wt, wq, wa] = FIELD_WEIGHTS;
    return this.sql
      .exec<ArticleRow & { score: number }>(
        `SELECT a.*, r.score FROM (
           SELECT rowid, -bm25(article_fts, ${wt}, ${wq}, ${wa}) AS score FROM article_fts
            WHERE article_fts MATCH ?1 ORDER BY bm25(article_fts, ${wt}, ${wq}, ${wa}) LIMIT ?2
         ) r JOIN articles a ON a.doc = r.rowid
         ORDER BY r.score DESC`,
        match,
        limit,
      )
      .toArray()
      .map(toHit);
  }

  /** Articles whose id sorts after `after`, by id: the copy, page by page (a rebuild of the primary). */
  page(after: string, limit: number): CopiedArticle[] {
    return this.sql
      .exec<ArticleRow>("SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?", after, limit)
      .toArray()
      .map((r) => ({ id: r.id, slug: r.slug, locale: r.locale, title: r.title, answer: r.answer, tags: JSON.parse(r.tags), questions: JSON.parse(r.questions), status: "published", version: r.version, updatedAt: r.updated_at }));
  }

  /** An article by id, if the copy holds it. */
  byId(id: string): SearchHit | null {
    const r = this.sql.exec<ArticleRow>("SELECT * FROM articles WHERE id = ?", id).toArray()[0];
    return r ? toHit({ ...r, score: 0 }) : null;
  }

  /** Languages whose classifier must be trained again. */
  pendingModels(): string[] {
    return this.sql.exec<{ language: string }>("SELECT language FROM model_pending").toArray().map((r) => r.language);
  }

  articlesIn(language: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM articles WHERE locale = ?1 OR locale LIKE ?1 || '-%'", language).one().n;
  }

  /** The articles of a language, as training material, with the questions learned for them. */
  trainingArticles(language: string): TrainingArticle[] {
    const learned = new Map<string, string[]>();
    for (const r of this.sql.exec<{ article_id: string; text: string }>("SELECT article_id, text FROM learned WHERE locale = ?1 OR locale LIKE ?1 || '-%' ORDER BY version", language)) {
      learned.set(r.article_id, [...(learned.get(r.article_id) ?? []), r.text]);
    }
    return this.sql
      .exec<{ id: string; title: string; questions: string; answer: string }>("SELECT id, title, questions, answer FROM articles WHERE locale = ?1 OR locale LIKE ?1 || '-%' ORDER BY doc", language)
      .toArray()
      .map((r) => ({ id: r.id, title: r.title, questions: JSON.parse(r.questions), answer: r.answer, learned: learned.get(r.id) ?? [] }));
  }

  /** Stores a language's model (or removes it when null) and clears its pending mark. */
  saveModel(language: string, bytes: Uint8Array | null, kbVersion: number, classes: number, at: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM model_chunks WHERE language = ?", language);
      this.sql.exec("DELETE FROM models WHERE language = ?", language);
      this.sql.exec("DELETE FROM model_pending WHERE language = ? AND version <= ?", language, kbVersion);
      if (!bytes) return;
      const chunks = Math.ceil(bytes.byteLength / MODEL_CHUNK);
      for (let i = 0; i < chunks; i++) this.sql.exec("INSERT INTO model_chunks (language, seq, data) VALUES (?, ?, ?)", language, i, bytes.subarray(i * MODEL_CHUNK, (i + 1) * MODEL_CHUNK));
      this.sql.exec("INSERT INTO models (language, kb_version, trained_at, classes, chunks) VALUES (?, ?, ?, ?, ?)", language, kbVersion, at, classes, chunks);
    });
  }

  loadModel(language: string): Uint8Array | null {
    const chunks = this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM model_chunks WHERE language = ? ORDER BY seq", language).toArray();
    if (!chunks.length) return null;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.data.byteLength, 0));
    let offset = 0;
    for (const c of chunks) {
      out.set(new Uint8Array(c.data), offset);
      offset += c.data.byteLength;
    }
    return out;
  }

  /** The stored models, for status. */
  models(): Array<{ language: string; kbVersion: number; classes: number; trainedAt: number }> {
    return this.sql
      .exec<{ language: string; kb_version: number; classes: number; trained_at: number }>("SELECT * FROM models ORDER BY language")
      .toArray()
      .map((r) => ({ language: r.language, kbVersion: r.kb_version, classes: r.classes, trainedAt: r.trained_at }));
  }

  /** An article by slug in a locale (a translation of a hit), if the replica has it. */
  bySlug(slug: string, locale: string): SearchHit | null {
    const r = this.sql.exec<ArticleRow>("SELECT * FROM articles WHERE slug = ? AND locale = ?", slug, locale).toArray()[0];
    return r ? toHit({ ...r, score: 0 }) : null;
  }
}

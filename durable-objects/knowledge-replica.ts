// KnowledgeReplicaDO: one per region shard (REPLICA_SHARDS). Glue only: it keeps a SQLite +
// FTS5 copy of the published KB, pulls changes from the primary in bounded chunks on an
// alarm and when pinged, and answers searches locally. When the primary is unreachable it
// keeps serving its last good copy, says it is stale, and retries with backoff. A release's
// candidate replica (`<region>:canary:<release>`) is the same class on the candidate change
// feed (src/kb/staging.ts): it copies the KB from scratch with the release's writes laid
// over it, and empties itself once the release is closed.
import { DurableObject } from "cloudflare:workers";
import { replicaMigrations } from "../migrations/replica/index.ts";
import { readConfig } from "../src/config.ts";
import { changesSince, type KbDatabase } from "../src/kb/articles.ts";
import { configuredPrimary } from "../src/platform/primary.ts";
import { embeddingsProvider, SYNC_EMBED_TIMEOUT_MS, timedEmbedder } from "../src/platform/embeddings/providers.ts";
import { rerankerProvider, TRAIN_RERANK_TIMEOUT_MS, timedReranker } from "../src/platform/reranker/providers.ts";
import { ReplicaAnswered } from "./knowledge-replica-answered.ts";
import { ReplicaRerankCache } from "./knowledge-replica-rerank.ts";
import { KbEngine } from "../src/kb/engine.ts";
import { freshnessOf } from "../src/kb/freshness.ts";
import { bestRemembered, questionKey } from "../src/kb/memory.ts";
import type { MemoryNote } from "../src/kb/memory-notes.ts";
import type { Retrieval, RetrievalOptions } from "../src/kb/retrieval.ts";
import type { ReplicaFreshness, SearchHit, SearchOptions, SearchResult } from "../src/kb/search.ts";
import { nextSyncDelay, pullChanges, type ChangeSource, type PullOptions } from "../src/kb/sync.ts";
import { releaseOfReplica } from "../src/kb/shards.ts";
import { candidateChangesSince } from "../src/kb/staging.ts";
import { getRelease } from "../src/releases/repository.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { ReplicaStore, type CopiedArticle } from "./knowledge-replica-store.ts";
import { ReplicaVectors } from "./knowledge-replica-vectors.ts";

/** Remembered questions are written once this many have gathered (or on the sync alarm). */
const MEMORY_BATCH = 50;
/** A replica asked within this long trains what a sync left pending (see trainIfUsed). */
const TRAIN_WHILE_ASKED_MS = 60 * 60_000;
/** Pages of changes (500 each) one sync chunk pulls before it yields and goes on by alarm. */
const CHUNK_PAGES = 6;
/** How long a retrieval waits for a replica's first sync: half a turn's deadline, the rest for the fallback. */
const FIRST_SYNC_WAIT_MS = 1_000;

export interface ReplicaStatus extends ReplicaFreshness {
  /** The Durable Object's name: the region, or `<region>:<shard>`. */
  region: string;
  /** The primary's epoch the copy came from (a restore of the primary starts a new one). */
  epoch: number;
  /** A sync under way (a large first sync goes in chunks): how far it got. */
  sync: { state: "idle" | "syncing"; stagedChanges: number; stagedVersion: number | null; startedAt: string | null };
  lastSyncAt: string | null;
  primaryReachable: boolean;
  primaryVersion: number;
  articles: number;
  /** Active learned questions held (training data, never shown). */
  learned: number;
  /** Size of the replica's SQLite database on disk, in bytes. */
  sizeBytes: number;
  failures: number;
  lastError: string | null;
  /** Trained classifiers, per language. */
  models: Array<{ language: string; kbVersion: number; classes: number }>;
  /** Languages whose classifiers a sync left to train again. */
  training: string[];
  /** With embeddings (EMBEDDINGS_PROVIDER): the vector space and how many articles hold current vectors; null when off. */
  embeddings: { space: string; articles: number } | null;
  /** With a reranker (RERANKER_PROVIDER): its space, training-time scores cached, and per language whether the tuning uses it; null when off. */
  reranker: ReturnType<KbEngine["rerankStatus"]>;
}

export class KnowledgeReplicaDO extends DurableObject<Env> {
  private readonly store: ReplicaStore;
  private readonly answered: ReplicaAnswered;
  private readonly intervalMs: number;
  private primary: KbDatabase | null = null;
  private syncing: Promise<ReplicaStatus> | null = null;
  private readonly engine: KbEngine;
  /** When a retrieval last asked this replica (ms; 0 since it woke). */
  private askedAt = 0;
  /** Remembered questions not yet written (see remember()). */
  private readonly unsaved = new Map<string, { key: string; language: string; articleId: string; at: number }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, replicaMigrations);
    this.store = new ReplicaStore(ctx.storage);
    this.answered = new ReplicaAnswered(ctx.storage.sql);
    const config = readConfig(env);
    // Pausing between classes lets searches and turns through while a large model trains.
    // With embeddings, article vectors are computed before training (a batch at a time).
    const embedder = embeddingsProvider(env, config.embeddings);
    const semantic = embedder ? { embedder: timedEmbedder(embedder, SYNC_EMBED_TIMEOUT_MS), vectors: new ReplicaVectors(ctx.storage.sql) } : undefined;
    // With a reranker, held-out questions are scored after the lexical cross-validation (cached).
    const reranker = rerankerProvider(env, config.reranker);
    const rerank = reranker ? { reranker: timedReranker(reranker, TRAIN_RERANK_TIMEOUT_MS), cache: new ReplicaRerankCache(ctx.storage.sql) } : undefined;
    this.engine = new KbEngine(this.store, () => new Promise((r) => setTimeout(r, 0)), { maxWrong: config.answerMaxWrong, ...(semantic && { semantic }), ...(rerank && { rerank }) });
    this.intervalMs = config.kbSyncIntervalSeconds * 1000;
    void ctx.blockConcurrencyWhile(async () => {
      // A replica that has never synced pulls at once; others at the regular interval.
      const first = this.store.state().lastSyncAt === null;
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + (first ? 0 : this.intervalMs));
    });
  }

  /**
   * Training (the classifiers and their thresholds, a second or two of CPU per language) is
   * for replicas that answer: it starts when a retrieval or a readiness probe finds a model
   * pending, and the alarm goes on with it only while the replica has been asked recently.
   * A replica nobody asks (a pinged shard of a quiet region) keeps its copy fresh without
   * training on it; until its first training a replica ranks by full-text search alone.
   */
  private trainIfUsed(): void {
    if (Date.now() - this.askedAt < TRAIN_WHILE_ASKED_MS && this.store.pendingModels().length) void this.engine.trainPending();
  }

  /**
   * Candidate articles for a question: full-text hits and classifier scores together.
   * `notes` are answered questions for the memory, sent along instead of on their own.
   */
  async retrieve(query: string, options: RetrievalOptions, notes: MemoryNote[] = []): Promise<Retrieval> {
    if (notes.length) this.remember(notes);
    // No whole copy yet (new, or its storage lost): wait a little for the first sync, which
    // goes on regardless; a turn that cannot wait longer is answered by another replica.
    if (this.store.state().lastSyncAt === null) await Promise.race([this.sync(), new Promise((r) => setTimeout(r, FIRST_SYNC_WAIT_MS))]);
    if (this.store.state().lastSyncAt === null) throw new ReplicaNotReadyError();
    this.askedAt = Date.now();
    // Answers come from the model at hand while a newer one trains.
    this.trainIfUsed();
    return { ...this.engine.retrieve(query, options), ...this.freshness() };
  }

  /** Ranked published articles for a query, from the local copy. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    // A replica that has never synced has nothing to search: try once before answering.
    if (this.store.state().lastSyncAt === null) await this.sync();
    return { hits: this.store.search(query, options), ...this.freshness() };
  }

  /** A translation: the article with this slug in this locale. */
  article(slug: string, locale: string): SearchHit | null {
    return this.store.bySlug(slug, locale);
  }

  /**
   * Times each search (or a whole retrieval: search and classifier, what a turn asks for)
   * on the local copy, for `npm run bench` (reachable through a dev-only
   * route). Exact under wrangler dev; in production the runtime's clock only advances on
   * I/O, so these would read zero.
   */
  measureSearch(queries: string[], options: SearchOptions = {}, what: "search" | "retrieve" = "search"): Array<{ ms: number; hits: number }> {
    const once = (query: string) =>
      what === "search" ? this.store.search(query, options).length : this.engine.retrieve(query, { language: options.locale ?? "en", limit: 5 }).candidates.length;
    return queries.map((query) => {
      // The runtime's clock ticks in whole milliseconds: repeat fast searches for resolution.
      let runs = 0;
      let hits = 0;
      const started = performance.now();
      do {
        hits = once(query);
        runs++;
      } while (performance.now() - started < 10 && runs < 200);
      return { ms: (performance.now() - started) / runs, hits };
    });
  }

  /**
   * Notes questions the region answered confidently with an article. Kept in memory and
   * written in batches: a write here would hold back the next search's reply until it is
   * durable, and losing a few notes on eviction costs only a little cache.
   */
  remember(notes: MemoryNote[]): void {
    for (const { question, language, articleId } of notes.slice(0, MEMORY_BATCH)) {
      const key = questionKey(question);
      if (key) this.unsaved.set(`${language} ${key}`, { key, language, articleId, at: Date.now() });
    }
    if (this.unsaved.size >= MEMORY_BATCH) this.saveMemory();
  }

  /** Popular topics for a language (the chat's first screen); the fallback language when the KB lacks it. */
  async topics(language: string, fallbackLanguage: string, limit: number): Promise<Array<{ id: string; title: string }>> {
    if (this.store.state().lastSyncAt === null) await this.sync();
    const found = this.answered.topics(language, limit);
    return found.length ? found : this.answered.topics(fallbackLanguage, limit);
  }

  /** Forgets remembered questions (an erasure: the customer's questions, redacted). */
  forget(questions: string[]): void {
    const keys = new Set(questions.map(questionKey).filter(Boolean));
    for (const [id, e] of this.unsaved) if (keys.has(e.key)) this.unsaved.delete(id);
    this.answered.forget([...keys]);
  }

  /** The article of a remembered question like this one, if it is still in the copy. */
  recall(question: string, language: string): SearchHit | null {
    const key = questionKey(question);
    if (!key) return null;
    const unsaved = [...this.unsaved.values()].filter((e) => e.language === language).map((e) => ({ question: e.key, articleId: e.articleId }));
    const articleId = bestRemembered(key, [...unsaved, ...this.answered.popular(language, 500)]);
    return articleId ? this.store.byId(articleId) : null;
  }

  /**
   * The copy, a page of articles at a time by id, with how fresh it is: what a rebuild of a
   * lost primary reads (npm run restore -- --from-replica).
   */
  exportPage(after: string, limit: number): { replica: { kbVersion: number; epoch: number; lastSyncAt: string | null; stale: boolean }; articles: CopiedArticle[]; nextAfter: string | null } {
    const state = this.store.state();
    const articles = this.store.page(after, limit);
    return {
      replica: { kbVersion: state.version, epoch: state.epoch, lastSyncAt: state.lastSyncAt === null ? null : new Date(state.lastSyncAt).toISOString(), stale: this.freshness().stale },
      articles,
      nextAfter: articles.length === limit ? articles[articles.length - 1]!.id : null,
    };
  }

  /**
   * Development only (the DR drill): loses everything this replica stored, as a lost
   * storage would, and starts again empty; it rebuilds from the primary on its first alarm.
   */
  async wipe(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // A fresh object: migrations, an empty copy and an alarm for its first sync.
    this.ctx.abort("wiped");
  }

  /** Trains the classifiers a sync left pending; resolves when they are ready. */
  train(): Promise<void> {
    return this.engine.trainPending();
  }

  /**
   * Pulls the next chunk of changes now (`chunk` narrows it, for tests and tools); the sync
   * goes on by alarm until done. Concurrent calls share one pull. Never throws.
   */
  sync(chunk?: PullOptions): Promise<ReplicaStatus> {
    this.syncing ??= this.pull(chunk).finally(() => (this.syncing = null));
    return this.syncing;
  }

  /**
   * Self-repair's last resort for a replica whose syncs keep failing: wipes the copy and
   * pulls the whole KB again from version 0. The old copy keeps serving until the new one
   * is complete, then the two swap in one transaction (a large KB goes in chunks on the
   * alarm meanwhile). Never throws.
   */
  async rebuild(chunk?: PullOptions): Promise<ReplicaStatus> {
    // A pull under way finishes first; then nothing yields until the rebuild has begun.
    while (this.syncing) await this.syncing;
    this.store.clearStaged();
    this.store.beginCopy();
    // A new copy built from version 0 with none of the live articles copied in: the copy mode
    // of a large sync (src/kb/sync.ts), from scratch.
    const primaryVersion = this.store.state().primaryVersion;
    this.store.setStaging({ cursor: 0, primaryVersion, languages: [], startedAt: Date.now(), pulled: 0, mode: "copy", copied: null, epoch: this.store.epoch(), full: true });
    return this.sync(chunk);
  }

  /** The replica's state. `probe`: a readiness probe of the region it serves, which counts as using it. */
  status(probe = false): ReplicaStatus {
    if (probe) {
      this.askedAt = Date.now();
      this.trainIfUsed();
    }
    const state = this.store.state();
    const staging = this.store.staging();
    return {
      region: this.ctx.id.name ?? this.ctx.id.toString(),
      epoch: state.epoch,
      sync: staging
        ? { state: "syncing", stagedChanges: staging.pulled, stagedVersion: staging.cursor, startedAt: new Date(staging.startedAt).toISOString() }
        : { state: "idle", stagedChanges: 0, stagedVersion: null, startedAt: null },
      lastSyncAt: state.lastSyncAt === null ? null : new Date(state.lastSyncAt).toISOString(),
      primaryReachable: state.failures === 0 && state.lastAttemptAt !== null,
      primaryVersion: state.primaryVersion,
      articles: this.store.articleCount(),
      learned: this.store.learnedCount(),
      sizeBytes: this.ctx.storage.sql.databaseSize,
      failures: state.failures,
      lastError: state.lastError,
      models: this.store.models().map(({ language, kbVersion, classes }) => ({ language, kbVersion, classes })),
      training: this.store.pendingModels(),
      embeddings: this.engine.vectorStatus(),
      reranker: this.engine.rerankStatus(),
      ...this.freshness(),
    };
  }

  override async alarm(): Promise<void> {
    this.saveMemory();
    await this.sync();
    // A sync under way goes on at once (pull() set the alarm); otherwise train, then wait.
    if (this.store.staging()) return;
    this.trainIfUsed();
    // Vectors an embeddings failure left missing, and thresholds a reranker failure left
    // fitted without it, catch up here, for replicas that answer.
    if (Date.now() - this.askedAt < TRAIN_WHILE_ASKED_MS) void this.engine.catchUpVectors().then(() => this.engine.catchUpRerank());
    await this.ctx.storage.setAlarm(Date.now() + nextSyncDelay(this.store.state().failures, this.intervalMs));
  }

  private async pull(chunk: PullOptions = { maxPages: CHUNK_PAGES }): Promise<ReplicaStatus> {
    const config = readConfig(this.env);
    this.primary ??= configuredPrimary(config);
    const primary = this.primary;
    const release = releaseOfReplica(this.ctx.id.name);
    try {
      if (release && (await getRelease(primary, release))?.state !== "canary") return this.retire();
      const source: ChangeSource = release
        ? { changesSince: (cursor, limit) => candidateChangesSince(primary, release, cursor, limit) }
        : { changesSince: (cursor, limit) => changesSince(primary, cursor, limit) };
      const result = await pullChanges(source, this.store, Date.now, chunk);
      if (result.applied) this.trainIfUsed();
      if (!result.done) {
        this.store.recordProgress(Date.now());
        await this.ctx.storage.setAlarm(Date.now());
      }
    } catch (err) {
      this.store.recordFailure(Date.now(), errorKind(err));
      // Retry soon with backoff rather than at the next regular interval.
      await this.ctx.storage.setAlarm(Date.now() + nextSyncDelay(this.store.state().failures, this.intervalMs));
    }
    return this.status();
  }

  /** A closed release's candidate replica: nothing to keep. Its status is the empty copy's. */
  private async retire(): Promise<ReplicaStatus> {
    this.unsaved.clear();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    applyMigrations(this.ctx.storage, replicaMigrations);
    return this.status();
  }

  private saveMemory(): void {
    if (!this.unsaved.size) return;
    this.ctx.storage.transactionSync(() => {
      for (const e of this.unsaved.values()) this.answered.remember(e.key, e.language, e.articleId, e.at);
    });
    this.unsaved.clear();
  }

  private freshness(): ReplicaFreshness {
    return freshnessOf(this.store.state(), Date.now(), this.intervalMs);
  }
}

/** A retrieval from a replica that holds no whole copy yet: the turn falls back to another. */
export class ReplicaNotReadyError extends Error {
  constructor() {
    super("the replica has not completed its first sync");
    this.name = "ReplicaNotReadyError";
  }
}

/** The kind of a sync failure, for status and logs: never a message that could quote data. */
function errorKind(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown; name?: unknown } };
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === "string" && /^[A-Z_0-9]+$/.test(code)) return code;
  const name = e?.name ?? e?.cause?.name;
  return typeof name === "string" ? name : "Error";
}

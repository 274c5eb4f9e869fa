// Builds what a region's replica holds for a training split, through the real paths: the
// KB import into a libSQL primary, a replica store synced from it by version cursor, and
// the classifiers the replica trains.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replicaMigrations } from "../../migrations/replica/index.ts";
import { ReplicaStore } from "../../durable-objects/knowledge-replica-store.ts";
import { ReplicaVectors } from "../../durable-objects/knowledge-replica-vectors.ts";
import type { Embedder } from "../../src/kb/semantic/embedder.ts";
import { ReplicaRerankCache } from "../../durable-objects/knowledge-replica-rerank.ts";
import { applyRerank } from "../../src/kb/semantic/rerank-apply.ts";
import type { Reranker } from "../../src/kb/semantic/reranker.ts";
import type { KbPort } from "../../src/answer/plan.ts";
import { changesSince, importArticles, type KbDatabase } from "../../src/kb/articles.ts";
import { KbEngine } from "../../src/kb/engine.ts";
import type { ParseOptions } from "../../src/kb/import/formats.ts";
import type { Tuning } from "../../src/kb/model/tuning.ts";
import { pullChanges } from "../../src/kb/sync.ts";
import { applyMigrations } from "../../src/storage/migrations.ts";
import { migrateKb, openKb } from "../kb.ts";
import { readSource } from "../kb/source.ts";
import { flipLabels } from "./label-noise.ts";
import { sqliteStorage } from "./sqlite-storage.ts";

export interface EvalReplica {
  /** Lexical retrieval: what every turn gets without embeddings. */
  kb: KbPort;
  /** With an embedder: retrieval with each query's vector (the semantic signal), as a turn that got one in time. */
  semanticKb: KbPort | null;
  /** With a reranker: retrieval (with each query's vector, with an embedder too) whose best articles are reranked, as a turn that got the scores in time. */
  rerankKb: KbPort | null;
  /** Training-time rerank scores the replica holds (with a reranker). */
  rerankScores: number;
  /** Embeds these queries ahead, in batches (the eval's own speed; a turn embeds its one question). */
  prefetch(queries: string[]): Promise<void>;
  /** Articles holding current vectors (with an embedder). */
  vectors: number;
  articles: number;
  /** What the replica fitted for each language it holds. */
  tunings: Record<string, Tuning | null>;
  /** The KB primary it syncs from (open until close). */
  primary: KbDatabase;
  /** Pulls what changed on the primary and trains again, as a replica does between syncs. */
  sync(): Promise<void>;
  /** The replica's engine itself (tests drive its catch-ups). */
  engine: KbEngine;
  close(): void;
}

export interface ReplicaOptions {
  /** Share of the training split's example questions filed under a random other article (label-noise.ts). */
  labelNoise?: number;
  noiseSeed?: number;
  /** ANSWER_MAX_WRONG for the replica's threshold fit (`--max-wrong`). */
  maxWrong?: number;
  /** Off: train without weighing suspect example questions less (`--no-label-check`, to measure it). */
  checkLabels?: boolean;
  /** Embeddings for the semantic signal (`--embeddings-url`): article vectors at sync, query vectors at retrieval. */
  embedder?: Embedder;
  /** A reranker (`--reranker-url`): held-out questions scored at training, each query's best articles at retrieval. */
  reranker?: Reranker;
  /** What the engine awaits while it trains (`--memory` samples there). */
  pause?: () => Promise<void>;
}

export async function buildReplica(train: { path: string; options: ParseOptions }, options: ReplicaOptions = {}): Promise<EvalReplica> {
  const dir = mkdtempSync(join(tmpdir(), "holdfast-eval-"));
  const primary = openKb(`file:${join(dir, "kb.db")}`);
  await migrateKb(primary);
  const inputs = flipLabels(readSource(train.path, train.options), options.labelNoise ?? 0, options.noiseSeed);
  await importArticles(primary, inputs, Date.now());
  const storage = sqliteStorage();
  applyMigrations(storage, replicaMigrations);
  const store = new ReplicaStore(storage);
  const vectors = new ReplicaVectors(storage.sql);
  const embedder = options.embedder;
  const reranker = options.reranker;
  const cache = new ReplicaRerankCache(storage.sql);
  const engine = new KbEngine(store, options.pause, { maxWrong: options.maxWrong, checkLabels: options.checkLabels, ...(embedder && { semantic: { embedder, vectors } }), ...(reranker && { rerank: { reranker, cache } }) });
  const sync = async () => {
    await pullChanges({ changesSince: (cursor, limit) => changesSince(primary, cursor, limit) }, store, Date.now);
    await engine.trainPending();
  };
  await sync();
  const tunings = () => Object.fromEntries(store.languages().map((l) => [l, engine.tuning(l)]));
  const queryVectors = new Map<string, Float32Array>();
  const vectorOf = async (query: string) => queryVectors.get(query) ?? (await embedder!.embed([query]))[0]!;
  const freshness = { lagSeconds: 0, stale: false };
  return {
    articles: store.articleCount(),
    get tunings() {
      return tunings();
    },
    primary,
    sync,
    kb: { retrieve: async (query, options) => ({ ...engine.retrieve(query, options), kbVersion: store.version(), ...freshness }) },
    rerankKb: reranker
      ? {
          retrieve: async (query, options) => {
            const found = engine.retrieve(query, embedder ? { ...options, vector: await vectorOf(query) } : options);
            const scores = found.rerank && found.rerank.tuning.space === reranker.space ? await reranker.rerank(query, found.rerank.passages) : undefined;
            return { ...applyRerank(found, scores), kbVersion: store.version(), ...freshness };
          },
        }
      : null,
    get rerankScores() {
      return reranker ? cache.count(reranker.space) : 0;
    },
    semanticKb: embedder ? { retrieve: async (query, options) => ({ ...engine.retrieve(query, { ...options, vector: await vectorOf(query) }), kbVersion: store.version(), ...freshness }) } : null,
    prefetch: async (queries) => {
      const missing = [...new Set(queries)].filter((q) => !queryVectors.has(q));
      for (let i = 0; embedder && i < missing.length; i += 64) {
        const batch = missing.slice(i, i + 64);
        (await embedder.embed(batch)).forEach((v, k) => queryVectors.set(batch[k]!, v));
      }
    },
    get vectors() {
      return embedder ? vectors.count(embedder.space) : 0;
    },
    engine,
    close: () => {
      primary.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

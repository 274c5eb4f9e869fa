// Builds what a region's replica holds for a training split, through the real paths: the
// KB import into a libSQL primary, a replica store synced from it by version cursor, and
// the classifiers the replica trains.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replicaMigrations } from "../../migrations/replica/index.ts";
import { ReplicaStore } from "../../durable-objects/knowledge-replica-store.ts";
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
  kb: KbPort;
  articles: number;
  /** What the replica fitted for each language it holds. */
  tunings: Record<string, Tuning | null>;
  /** The KB primary it syncs from (open until close). */
  primary: KbDatabase;
  /** Pulls what changed on the primary and trains again, as a replica does between syncs. */
  sync(): Promise<void>;
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
  const engine = new KbEngine(store, undefined, { maxWrong: options.maxWrong, checkLabels: options.checkLabels });
  const sync = async () => {
    await pullChanges({ changesSince: (cursor, limit) => changesSince(primary, cursor, limit) }, store, Date.now);
    await engine.trainPending();
  };
  await sync();
  const tunings = () => Object.fromEntries(store.languages().map((l) => [l, engine.tuning(l)]));
  return {
    articles: store.articleCount(),
    get tunings() {
      return tunings();
    },
    primary,
    sync,
    kb: { retrieve: async (query, options) => ({ ...engine.retrieve(query, options), kbVersion: store.version(), lagSeconds: 0, stale: false }) },
    close: () => {
      primary.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// KnowledgeReplicaDO migrations, in order. Never edit one that has run; add the next instead.
import init from "./0001_init.sql";
import termDocs from "./0002_term_docs.sql";
import languageTokens from "./0003_language_tokens.sql";
import models from "./0004_models.sql";
import answered from "./0005_answered.sql";
import staging from "./0006_staging.sql";
import retrainModels from "./0007_retrain_models.sql";
import copySync from "./0008_copy_sync.sql";
import learned from "./0009_learned.sql";
import epoch from "./0010_epoch.sql";
import vectors from "./0011_vectors.sql";
import rerankScores from "./0012_rerank_scores.sql";
import type { Migration } from "../../src/storage/migrations.ts";

export const replicaMigrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_term_docs", sql: termDocs },
  { name: "0003_language_tokens", sql: languageTokens },
  { name: "0004_models", sql: models },
  { name: "0005_answered", sql: answered },
  { name: "0006_staging", sql: staging },
  { name: "0007_retrain_models", sql: retrainModels },
  { name: "0008_copy_sync", sql: copySync },
  { name: "0009_learned", sql: learned },
  { name: "0010_epoch", sql: epoch },
  { name: "0011_vectors", sql: vectors },
  { name: "0012_rerank_scores", sql: rerankScores },
];

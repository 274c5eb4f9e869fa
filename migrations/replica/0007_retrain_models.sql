-- Models now carry the exact-question index and the thresholds fitted on the KB's own
-- questions, and the classifier's features changed: every stored model is trained again.
INSERT OR REPLACE INTO model_pending (language, version) SELECT language, kb_version FROM models;

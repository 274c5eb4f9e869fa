// The engine's side of article vectors: embedding the articles a sync changed (in batches,
// stopping at the first failure: the sync has landed already, and vectors catch up later),
// the index a retrieval compares a question's vector with, and the folds cross-validation
// scores the semantic signal in. Pure: the embedder and the store are ports.
import { OFF_TOPIC } from "../model/off-topic.ts";
import type { TrainingArticle, TrainingSet } from "../model/training.ts";
import type { Embedder } from "./embedder.ts";
import { semanticFolds, type SemanticFolds } from "./semantic-folds.ts";
import type { StaleArticle, VectorStore } from "./vector-store.ts";
import { buildIndex, encodeVectors, vectorTexts, type VectorIndex } from "./vectors.ts";

export interface SemanticPorts {
  /** Embeds article texts at sync (batches, a generous timeout). */
  embedder: Embedder;
  vectors: VectorStore;
}

/** Texts per embeddings call at sync. */
const BATCH_TEXTS = 64;

export class ArticleVectors {
  readonly space: string;
  private readonly ports: SemanticPorts;
  private readonly pause: () => Promise<void>;
  private readonly indexes = new Map<string, { version: number; classes: string[]; index: VectorIndex | null }>();
  private readonly generic = new Map<string, Map<string, Float32Array>>();
  private readonly retried = new Set<string>();

  constructor(ports: SemanticPorts, pause: () => Promise<void>) {
    this.ports = ports;
    this.space = ports.embedder.space;
    this.pause = pause;
  }

  /** Embeds the language's articles whose vectors are missing or out of date; true when all are current. */
  async refresh(language: string): Promise<boolean> {
    const { embedder, vectors } = this.ports;
    vectors.prune();
    const done = new Set<string>();
    for (;;) {
      const stale = vectors.stale(language, this.space, BATCH_TEXTS);
      if (!stale.length) return true;
      // An article saved in this pass that still looks stale would loop forever: stop instead.
      if (stale.some((a) => done.has(a.id))) return false;
      const batch: StaleArticle[] = [];
      let texts = 0;
      for (const a of stale) {
        if (batch.length && texts + a.texts.length > BATCH_TEXTS) break;
        batch.push(a);
        texts += a.texts.length;
      }
      let embedded: Float32Array[];
      try {
        embedded = await embedder.embed(batch.flatMap((a) => a.texts));
      } catch {
        return false;
      }
      let at = 0;
      for (const a of batch) {
        vectors.save(a.id, a.stamp, this.space, encodeVectors(embedded.slice(at, (at += a.texts.length))));
        done.add(a.id);
      }
      this.indexes.delete(language);
      await this.pause();
    }
  }

  /** The language's vectors for a model's classes, when every article's are current; cached per KB version. */
  index(language: string, classes: string[], version: number): VectorIndex | null {
    const cached = this.indexes.get(language);
    if (cached && cached.version === version && cached.classes === classes) return cached.index;
    const stored = this.ports.vectors.load(language, this.space);
    const index = stored ? buildIndex(this.space, classes, stored) : null;
    this.indexes.set(language, { version, classes, index });
    return index;
  }

  /** The folds that score the semantic signal in cross-validation; undefined when vectors are missing. */
  async folds(language: string, set: TrainingSet, articles: TrainingArticle[]): Promise<SemanticFolds | undefined> {
    if (!(await this.refresh(language))) return undefined;
    const stored = this.ports.vectors.load(language, this.space);
    const index = stored && buildIndex(this.space, set.classes, stored);
    const generic = index && (await this.genericVectors(language));
    return (index && generic && semanticFolds(set, articles.map(vectorTexts), index, generic)) || undefined;
  }

  /** True the first time it is asked for a language at a KB version (catch-up trains again at most once per version). */
  retryOnce(language: string, version: number): boolean {
    const key = `${language}@${version}`;
    if (this.retried.has(key)) return false;
    this.retried.add(key);
    return true;
  }

  status(): { space: string; articles: number } {
    return { space: this.space, articles: this.ports.vectors.count(this.space) };
  }

  /** The generic off-topic messages' vectors (off-topic.ts), embedded once; null when the embedder fails. */
  private async genericVectors(language: string): Promise<Map<string, Float32Array> | null> {
    const known = this.generic.get(language);
    if (known) return known;
    const texts = OFF_TOPIC[language] ?? [];
    const out = new Map<string, Float32Array>();
    try {
      for (let i = 0; i < texts.length; i += BATCH_TEXTS) {
        const batch = texts.slice(i, i + BATCH_TEXTS);
        (await this.ports.embedder.embed(batch)).forEach((v, k) => out.set(batch[k]!, v));
      }
    } catch {
      return null;
    }
    this.generic.set(language, out);
    return out;
  }
}

// The replica's answering engine over its store: language choice, retrieval that merges
// full-text search with the language's classifier, and training classifiers for the
// languages a sync changed. The KnowledgeReplicaDO runs it on Durable Object SQLite; the
// eval runs the very same engine in Node on the libSQL engine.
import { decodeModel, encodeModel, trainClassifier, type ClassifierModel } from "./model/classifier.ts";
import { trainingSet, type TrainingArticle } from "./model/training.ts";
import { retrieveCandidates, type Retrieval, type RetrievalOptions } from "./retrieval.ts";
import type { SearchHit, SearchOptions } from "./search.ts";

/** What the engine needs from the replica's storage. */
export interface EngineStore {
  version(): number;
  languages(): string[];
  search(query: string, options: SearchOptions): SearchHit[];
  byId(id: string): SearchHit | null;
  pendingModels(): string[];
  trainingArticles(language: string): TrainingArticle[];
  saveModel(language: string, bytes: Uint8Array | null, kbVersion: number, classes: number, at: number): void;
  loadModel(language: string): Uint8Array | null;
}

export type EngineRetrieval = Pick<Retrieval, "language" | "candidates" | "modelTop">;

export class KbEngine {
  private readonly store: EngineStore;
  private readonly pause: () => Promise<void>;
  private readonly models = new Map<string, ClassifierModel | null>();
  private training: Promise<void> | null = null;

  /** `pause` is awaited between classes while training, to let other work through. */
  constructor(store: EngineStore, pause: () => Promise<void> = () => Promise.resolve()) {
    this.store = store;
    this.pause = pause;
  }

  retrieve(query: string, options: RetrievalOptions): EngineRetrieval {
    const held = this.store.languages();
    const language = !held.includes(options.language) && options.fallbackLanguage && held.includes(options.fallbackLanguage) ? options.fallbackLanguage : options.language;
    const found = retrieveCandidates(query, { ...options, language }, {
      search: (q, locale, limit) => this.store.search(q, { locale, limit }),
      model: (l) => this.model(l),
      article: (id) => this.store.byId(id),
    });
    return { language, ...found };
  }

  /** Trains every language marked pending, one at a time; concurrent calls share the run. */
  trainPending(now: () => number = Date.now): Promise<void> {
    this.training ??= (async () => {
      try {
        for (let pending = this.store.pendingModels(); pending.length; pending = this.store.pendingModels()) {
          for (const language of pending) await this.train(language, now);
        }
      } finally {
        this.training = null;
      }
    })();
    return this.training;
  }

  private async train(language: string, now: () => number): Promise<void> {
    const version = this.store.version();
    const set = trainingSet(this.store.trainingArticles(language));
    const model = await trainClassifier(set.classes, set.examples, { pause: this.pause });
    // Saving clears the pending mark only up to `version`: a sync that landed meanwhile
    // leaves it set, and the loop trains again.
    this.store.saveModel(language, model ? encodeModel(model) : null, version, set.classes.length, now());
    this.models.set(language, model);
  }

  private model(language: string): ClassifierModel | null {
    if (!this.models.has(language)) {
      const bytes = this.store.loadModel(language);
      this.models.set(language, bytes ? decodeModel(bytes) : null);
    }
    return this.models.get(language)!;
  }
}

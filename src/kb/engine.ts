// The replica's answering engine over its store: language choice, retrieval that merges
// full-text search with the language's classifier, and training for the languages a sync
// changed: the classifier, the exact-question index and the thresholds fitted on the KB's
// own questions. The KnowledgeReplicaDO runs it on Durable Object SQLite; the eval runs the
// very same engine in Node on the libSQL engine.
import { exactIndex } from "./exact-match.ts";
import { trainable, trainWithCentroids } from "./model/classifier.ts";
import { decodeKbModel, encodeKbModel, type KbModel } from "./model/kb-model.ts";
import { trainingSet, type TrainingArticle } from "./model/training.ts";
import { boundTraining } from "./model/training-budget.ts";
import { checkLabels } from "./model/label-check.ts";
import { DEFAULT_MAX_WRONG, fitTuning, type Tuning } from "./model/tuning.ts";
import { retrieveCandidates, type Retrieval, type RetrievalOptions } from "./retrieval.ts";
import type { SearchHit, SearchOptions } from "./search.ts";
import { ArticleVectors, type SemanticPorts } from "./semantic/article-vectors.ts";
import { rerankTuner, type RerankPorts } from "./semantic/rerank-folds.ts";

/** What the engine needs from the replica's storage. */
export interface EngineStore {
  version(): number;
  languages(): string[];
  search(query: string, options: SearchOptions): SearchHit[];
  byId(id: string): SearchHit | null;
  pendingModels(): string[];
  /** How many articles a language has. */
  articlesIn(language: string): number;
  trainingArticles(language: string): TrainingArticle[];
  saveModel(language: string, bytes: Uint8Array | null, kbVersion: number, classes: number, at: number): void;
  loadModel(language: string): Uint8Array | null;
}

export type EngineRetrieval = Pick<Retrieval, "language" | "candidates" | "modelTop" | "exact" | "tuning" | "rerank">;

/**
 * Above this many articles a language gets no classifier, tuning or index: full-text search
 * ranks alone. Training time grows with articles (one-vs-rest) and a replica has 5 minutes of
 * CPU: measured in Node, 400 synthetic articles take 53 s to train with their thresholds and
 * 1,000 take 165 s; memory stays near 60 MB either way (the model's size is capped: docs/scaling.md).
 */
const MAX_MODEL_ARTICLES = 400;
/** A language fitted without the reranker (it failed) is trained again with it at most this often. */
export const RERANK_RETRY_MS = 10 * 60_000;

/** Whether a KB of `now` articles (or learned questions) is close enough to one of `then` to keep its thresholds. */
function similarSize(then: number, now: number): boolean {
  return Math.abs(now - then) <= Math.max(2, Math.round(then * 0.1));
}

export interface EngineOptions {
  /** The share of in-scope questions the fitted thresholds may answer wrongly (ANSWER_MAX_WRONG). */
  maxWrong?: number;
  /** Weigh example questions that look filed under the wrong article less (label-check.ts); on by default. */
  checkLabels?: boolean;
  /** Embeddings (src/kb/semantic): article vectors kept beside the copy, and the semantic signal. Off when absent. */
  semantic?: SemanticPorts;
  /** A reranker (src/kb/semantic/reranker.ts): held-out questions' scores cached beside the copy, and the rerank tuning. Off when absent. */
  rerank?: RerankPorts;
}

export class KbEngine {
  private readonly store: EngineStore;
  private readonly pause: () => Promise<void>;
  private readonly maxWrong: number;
  private readonly checkLabels: boolean;
  private readonly models = new Map<string, KbModel | null>();
  private readonly vectors: ArticleVectors | null;
  private readonly rerank: RerankPorts | null;
  private training: Promise<void> | null = null;
  /** When catchUpRerank last trained (ms; 0: never). */
  private rerankRetriedAt = 0;
  private running: "train" | "catch-up" = "train";

  /** `pause` is awaited between classes while training, to let other work through. */
  constructor(store: EngineStore, pause: () => Promise<void> = () => Promise.resolve(), options: EngineOptions = {}) {
    this.store = store;
    this.pause = pause;
    this.maxWrong = options.maxWrong ?? DEFAULT_MAX_WRONG;
    this.checkLabels = options.checkLabels ?? true;
    this.vectors = options.semantic ? new ArticleVectors(options.semantic, pause) : null;
    this.rerank = options.rerank ?? null;
  }

  retrieve(query: string, options: RetrievalOptions): EngineRetrieval {
    const held = this.store.languages();
    const language = !held.includes(options.language) && options.fallbackLanguage && held.includes(options.fallbackLanguage) ? options.fallbackLanguage : options.language;
    const found = retrieveCandidates(query, { ...options, language }, {
      search: (q, locale, limit) => this.store.search(q, { locale, limit }),
      model: (l) => this.model(l),
      article: (id) => this.store.byId(id),
      vectors: (l) => {
        const classes = this.model(l)?.classifier?.classes;
        return classes && this.vectors ? this.vectors.index(l, classes, this.store.version()) : null;
      },
    });
    return { language, ...found };
  }

  /** The tuning each language's model was trained with, for status and the eval's report. */
  tuning(language: string): KbModel["tuning"] {
    return this.model(language)?.tuning ?? null;
  }

  /** Trains every language marked pending, one at a time; concurrent calls share the run. */
  trainPending(now: () => number = Date.now): Promise<void> {
    // A vector catch-up under way goes first; what it left pending is trained after it.
    if (this.training && this.running === "catch-up") return this.training.then(() => this.trainPending(now));
    return this.exclusive("train", async () => {
      for (let pending = this.store.pendingModels(); pending.length; pending = this.store.pendingModels()) {
        for (const language of pending) await this.train(language, now);
      }
    });
  }

  /**
   * With embeddings: computes the vectors a failed or slow endpoint left missing, and trains
   * again (once per KB version) a language whose thresholds were fitted without them. A run
   * under way (training) is shared instead.
   */
  catchUpVectors(now: () => number = Date.now): Promise<void> {
    const vectors = this.vectors;
    if (!vectors) return Promise.resolve();
    return this.exclusive("catch-up", async () => {
      for (const language of this.store.languages()) {
        // Only languages with a model (and so a tuning) weigh the semantic signal.
        const tuning = this.model(language)?.tuning;
        if (!tuning) continue;
        const current = await vectors.refresh(language);
        if (current && tuning.semantic?.space !== vectors.space && vectors.retryOnce(language, this.store.version())) await this.train(language, now);
      }
    });
  }

  /**
   * With a reranker: trains again a language whose thresholds were fitted without it (a
   * failing or slow endpoint at its last training), at most once per RERANK_RETRY_MS, so a
   * reranker that comes back is used without waiting for the KB to change. Scores already
   * cached are not asked again.
   */
  catchUpRerank(now: () => number = Date.now): Promise<void> {
    const rerank = this.rerank;
    if (!rerank || now() - this.rerankRetriedAt < RERANK_RETRY_MS) return Promise.resolve();
    const behind = this.store.languages().filter((l) => {
      const tuning = this.model(l)?.tuning;
      return tuning && tuning.rerank?.space !== rerank.reranker.space;
    });
    if (!behind.length) return Promise.resolve();
    this.rerankRetriedAt = now();
    return this.exclusive("catch-up", async () => {
      for (const language of behind) await this.train(language, now);
    });
  }

  /** Articles with current vectors, for status; null without embeddings. */
  vectorStatus(): { space: string; articles: number } | null {
    return this.vectors?.status() ?? null;
  }

  /**
   * With a reranker, for status: its space, the training-time scores cached, and per language
   * whether the tuning uses it (`used`), was fitted with it and found no help (`unhelpful`,
   * tuning.ts markHelpful), or has not been fitted with it yet (`pending`: a failure, or no
   * training since). Null without one.
   */
  rerankStatus(): { space: string; cachedScores: number; languages: Record<string, "used" | "unhelpful" | "pending"> } | null {
    if (!this.rerank) return null;
    const { space } = this.rerank.reranker;
    const languages = Object.fromEntries(
      this.store.languages().flatMap((language) => {
        const tuning = this.model(language)?.tuning;
        if (!tuning) return [];
        const rerank = tuning.rerank?.space === space ? tuning.rerank : undefined;
        return [[language, rerank ? (rerank.unhelpful ? "unhelpful" : "used") : "pending"] as const];
      }),
    );
    return { space, cachedScores: this.rerank.cache.count(space), languages };
  }

  /** Runs one training or catch-up at a time; a call while one runs gets that run. */
  private exclusive(kind: "train" | "catch-up", work: () => Promise<void>): Promise<void> {
    if (!this.training) {
      this.running = kind;
      const run = work();
      // Cleared once settled, and only if still the current run: with nothing pending the run
      // settles at once, and clearing inside it would happen before it was even stored.
      this.training = run;
      const clear = () => {
        if (this.training === run) this.training = null;
      };
      run.then(clear, clear);
    }
    return this.training;
  }

  private async train(language: string, now: () => number): Promise<void> {
    const version = this.store.version();
    // Counted first: a language too large for a model (100,000 articles) is never read into memory.
    const count = this.store.articlesIn(language);
    const articles = count && count <= MAX_MODEL_ARTICLES ? this.store.trainingArticles(language) : [];
    let model: KbModel | null = null;
    if (articles.length) {
      // Trained on within a bounded cost (training-budget.ts); the exact index below holds every learned question.
      const trained = boundTraining(articles).articles;
      const checked = this.checkLabels ? checkLabels(trainingSet(trained)) : { set: trainingSet(trained), suspects: 0 };
      const set = checked.set;
      const options = { pause: this.pause, maxClasses: MAX_MODEL_ARTICLES };
      const trains = trainable(set.classes, set.examples, options);
      // With embeddings: the changed articles' vectors first (a failure leaves them to catch up later), then the folds to score them in.
      const semantic = trains && this.vectors ? await this.vectors.folds(language, set, trained) : undefined;
      // Fitting thresholds costs several trainings (cross-validation); a KB that changed by
      // a few articles keeps the ones it has, until it has changed by more (or the budget
      // they were fitted to changed). Learned questions change every fold's model (they
      // are trained on, never held out): enough new ones fit again.
      const { tuning: previous, learned: learnedBefore } = this.fitted(language);
      const learned = articles.reduce((n, a) => n + (a.learned?.length ?? 0), 0);
      // Vectors that became available are a reason to fit again; vectors that failed this time are not (the semantic tuning waits for them).
      const reuse =
        previous &&
        previous.basis.maxWrong === this.maxWrong &&
        (previous.basis.classes ?? 0) > 0 &&
        similarSize(previous.basis.classes ?? 0, set.classes.length) &&
        similarSize(learnedBefore, learned) &&
        (!semantic || previous.semantic?.space === this.vectors?.space) &&
        (!this.rerank || previous.rerank?.space === this.rerank.reranker.space);
      // With a reranker: held-out questions are scored after the lexical pass (a failure leaves the tuning without it, retried next training).
      const rerank = trains && this.rerank ? rerankTuner(this.rerank, set.classes, trained) : undefined;
      // Fitted before the classifier is trained: each fold trains a model too, and a replica
      // has room for one at a time beside the one it serves (docs/scaling.md).
      const fitted = trains && !reuse ? await fitTuning(set, { language, train: options, pause: this.pause, maxWrong: this.maxWrong, ...(semantic && { semantic }), ...(rerank && { rerank }) }) : null;
      const built = trains ? await trainWithCentroids(set.classes, set.examples, options) : null;
      const classifier = built?.classifier ?? null;
      const tuning = classifier ? (fitted ? { ...fitted, basis: { ...fitted.basis, suspectQuestions: checked.suspects } } : previous) : null;
      // A learned question is a customer's exact wording that others confirmed: asked again, it gets its article.
      const exact = exactIndex(articles.map((a) => ({ ...a, questions: [...a.questions, ...(a.learned ?? [])] })));
      model = { classifier, centroids: built?.centroids ?? null, exact, tuning, learned };
    }
    // Saving clears the pending mark only up to `version`: a sync that landed meanwhile
    // leaves it set, and the loop trains again. The model served so far is let go first:
    // from here to the new one nothing awaits, so no turn goes without, and the replica
    // holds the new model and its bytes but not the old one too (docs/scaling.md).
    this.models.delete(language);
    this.store.saveModel(language, model ? encodeKbModel(model) : null, version, count, now());
    this.models.set(language, model);
  }

  /** What the served model was fitted with (not the model itself, which training must not hold on to). */
  private fitted(language: string): { tuning: Tuning | null; learned: number } {
    const model = this.model(language);
    return { tuning: model?.tuning ?? null, learned: model?.learned ?? 0 };
  }

  private model(language: string): KbModel | null {
    if (!this.models.has(language)) {
      const bytes = this.store.loadModel(language);
      this.models.set(language, bytes ? decodeKbModel(bytes) : null);
    }
    return this.models.get(language)!;
  }
}

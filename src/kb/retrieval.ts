// Candidate articles for a question, from both of the replica's views of the KB: full-text
// search (BM25 over titles, example questions and answers) and the language's classifier
// (trained on the example questions). An article whose example question or title the
// customer typed comes first, whatever either says. Pure: the replica passes in its store
// and model.
import type { ReplicaFreshness, SearchHit } from "./search.ts";
import { exactAmong, exactKey } from "./exact-match.ts";
import { similarities } from "./model/centroids.ts";
import { modelSignals, type ModelSignals } from "./model/signals.ts";
import { decisionValues, queryVector } from "./model/classifier.ts";
import type { KbModel } from "./model/kb-model.ts";
import type { Tuning } from "./model/tuning.ts";
import { fuse, poolSimilarities } from "./semantic/fusion.ts";
import { classSimilarity, type VectorIndex } from "./semantic/vectors.ts";
import { rerankView, type RerankView } from "./semantic/rerank-fusion.ts";
import { rerankPassage } from "./semantic/reranker.ts";

export type { ModelSignals };

export interface RetrievalOptions {
  /** Language of the question (and of the articles to consider): `en`, `zh`. */
  language: string;
  /** The language to use instead when the KB has no articles in `language`. */
  fallbackLanguage?: string;
  /** Narrows to one locale (`zh-CN`); defaults to the whole language. */
  locale?: string;
  limit?: number;
  /** Article ids to leave out (e.g. the one a follow-up moves away from). */
  exclude?: string[];
  /** The customer's words, for the exact-question match, when the query adds context to them. */
  asked?: string;
  /** The query's embedding (src/kb/semantic), when the turn got one in time: adds the semantic signal and the fused ranking. */
  vector?: Float32Array;
}

export interface Candidate extends Omit<SearchHit, "score"> {
  /** BM25 relevance when full-text search found the article; null otherwise. */
  bm25: number | null;
  /** Classifier decision value (above 0: "this class"), fused with the semantic similarity when the query had a vector; null without a model for it. */
  decision: number | null;
}

export interface Retrieval extends ReplicaFreshness {
  /** The language the candidates are in (`language`, or the fallback when the KB lacks it). */
  language: string;
  candidates: Candidate[];
  /** What the classifier says about its best article, when the language has a model. */
  modelTop: ModelSignals | null;
  /** The first candidate is the article whose example question or title was asked. */
  exact?: boolean;
  /** The language's calibration and thresholds, fitted on this KB (absent: the defaults). */
  tuning?: Tuning | null;
  /**
   * With a tuning fitted with a reranker, and no exact match: the classifier's best articles
   * and their passages, for the conversation to rerank (semantic/rerank-apply.ts), and that
   * tuning. Never part of what a turn answers with.
   */
  rerank?: RerankRequest;
}

export interface RerankRequest {
  view: RerankView<string>;
  passages: string[];
  tuning: NonNullable<Tuning["rerank"]>;
}

export interface RetrievalSources {
  search(query: string, locale: string, limit: number): SearchHit[];
  model(language: string): KbModel | null;
  article(id: string): SearchHit | null;
  /** The language's article vectors, one class per model class; null when incomplete or absent. */
  vectors?(language: string): VectorIndex | null;
}

const POOL = 10;

type Retrieved = Pick<Retrieval, "candidates" | "modelTop" | "exact" | "tuning" | "rerank">;

export function retrieveCandidates(query: string, options: RetrievalOptions, sources: RetrievalSources): Retrieved {
  const limit = options.limit ?? 5;
  const exclude = new Set(options.exclude ?? []);
  const inLocale = (hit: { locale: string }) => !options.locale || hit.locale.toLowerCase() === options.locale.toLowerCase();
  const allHits = sources.search(query, options.locale ?? options.language, POOL);
  const hits = allHits.filter((h) => !exclude.has(h.id));
  const byId = new Map<string, Candidate>(hits.map(({ score, ...h }) => [h.id, { ...h, bm25: score, decision: null }]));
  const stored = sources.model(options.language);
  const model = stored?.classifier ?? null;
  let modelTop: Retrieval["modelTop"] = null;
  let values: Float32Array | null = null;
  let tuning = stored?.tuning ?? null;
  let rerank: RerankRequest | undefined;
  if (model) {
    const { x, coverage } = queryVector(model, query);
    values = decisionValues(model, x);
    const raw = values;
    let ranked = [...raw.keys()].filter((i) => !exclude.has(model.classes[i]!)).sort((a, b) => raw[b]! - raw[a]!);
    const near = stored?.centroids ? similarities(stored.centroids, x) : null;
    // With the query's vector, vectors of every article and a tuning fitted with them: the
    // semantic signal, the fused ranking and that tuning (unless cross-validation found it
    // unhelpful: tuning.ts markHelpful). Otherwise lexical, as always.
    const semantic = tuning?.semantic?.unhelpful ? undefined : tuning?.semantic;
    const vectors = options.vector && semantic ? (sources.vectors?.(options.language) ?? null) : null;
    if (vectors && semantic && vectors.space === semantic.space && vectors.dims === options.vector!.length) {
      const vector = options.vector!;
      const fused = fuse(raw, ranked, poolSimilarities(ranked, (c) => classSimilarity(vectors, c, vector)), semantic.fusion, coverage, near);
      ({ values, ranked, signals: modelTop } = fused);
      tuning = semantic;
    } else modelTop = modelSignals(raw, ranked, coverage, near);
    const v = values;
    for (const i of ranked.slice(0, POOL)) {
      const id = model.classes[i]!;
      const known = byId.get(id);
      if (known) known.decision = v[i]!;
      else {
        // The model may predate a deletion: only articles the copy still holds count.
        const hit = sources.article(id);
        if (hit && inLocale(hit)) byId.set(id, { ...withoutScore(hit), bm25: null, decision: v[i]! });
      }
    }
    // With a rerank tuning: the best articles the copy holds, as cross-validation reranked them (on the fused ranking when the query had a vector).
    if (stored?.tuning?.rerank && !stored.tuning.rerank.unhelpful) {
      const held = ranked.filter((i) => byId.has(model.classes[i]!));
      const view = rerankView(v, held, coverage, near, (c) => model.classes[c]!);
      rerank = { view, passages: view.pool.map((id) => rerankPassage(byId.get(id)!)), tuning: stored.tuning.rerank };
    }
    // FTS hits outside the model's top classes still get their decision value.
    const index = new Map(model.classes.map((id, i) => [id, i]));
    for (const c of byId.values()) if (c.decision === null && index.has(c.id)) c.decision = v[index.get(c.id)!]!;
  }
  const candidates = [...byId.values()].sort(byRank);

  // The exact question wins, even over an exclusion: asking it again means wanting it again.
  const asked = options.asked ?? query;
  const exactId = stored ? (stored.exact.get(exactKey(asked)) ?? null) : (exactAmong(asked, allHits.filter(inLocale))?.id ?? null);
  const exactHit = exactId ? (candidates.find((c) => c.id === exactId) ?? hitCandidate(sources.article(exactId), model, values)) : null;
  if (exactHit && inLocale(exactHit)) {
    return { candidates: [exactHit, ...candidates.filter((c) => c.id !== exactHit.id)].slice(0, limit), modelTop, exact: true, tuning };
  }
  return { candidates: candidates.slice(0, limit), modelTop, exact: false, tuning, ...(rerank && { rerank }) };
}

function hitCandidate(hit: SearchHit | null, model: KbModel["classifier"], values: Float32Array | null): Candidate | null {
  if (!hit) return null;
  const i = model?.classes.indexOf(hit.id) ?? -1;
  return { ...withoutScore(hit), bm25: null, decision: values && i >= 0 ? values[i]! : null };
}

function withoutScore({ score: _score, ...hit }: SearchHit): Omit<SearchHit, "score"> {
  return hit;
}

/** Classifier first (it knows the questions); BM25 orders what the model does not cover. */
export function byRank(a: Candidate, b: Candidate): number {
  if (a.decision !== null && b.decision !== null) return b.decision - a.decision;
  if (a.decision !== null) return -1;
  if (b.decision !== null) return 1;
  return (b.bm25 ?? 0) - (a.bm25 ?? 0);
}

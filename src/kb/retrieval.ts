// Candidate articles for a question, from both of the replica's views of the KB: full-text
// search (BM25 over titles, example questions and answers) and the language's classifier
// (trained on the example questions). Pure: the replica passes in its store and model.
import type { ReplicaFreshness, SearchHit } from "./search.ts";
import { decisionValues, vectorize, type ClassifierModel } from "./model/classifier.ts";

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
}

export interface Candidate extends Omit<SearchHit, "score"> {
  /** BM25 relevance when full-text search found the article; null otherwise. */
  bm25: number | null;
  /** Classifier decision value (above 0: "this class"); null without a model for it. */
  decision: number | null;
}

export interface Retrieval extends ReplicaFreshness {
  /** The language the candidates are in (`language`, or the fallback when the KB lacks it). */
  language: string;
  candidates: Candidate[];
  /** The classifier's two best decision values over all its classes, when it has a model. */
  modelTop: { best: number; second: number } | null;
}

export interface RetrievalSources {
  search(query: string, locale: string, limit: number): SearchHit[];
  model(language: string): ClassifierModel | null;
  article(id: string): SearchHit | null;
}

const POOL = 10;

export function retrieveCandidates(query: string, options: RetrievalOptions, sources: RetrievalSources): Pick<Retrieval, "candidates" | "modelTop"> {
  const limit = options.limit ?? 5;
  const exclude = new Set(options.exclude ?? []);
  const hits = sources.search(query, options.locale ?? options.language, POOL).filter((h) => !exclude.has(h.id));
  const byId = new Map<string, Candidate>(hits.map(({ score, ...h }) => [h.id, { ...h, bm25: score, decision: null }]));
  const model = sources.model(options.language);
  let modelTop: Retrieval["modelTop"] = null;
  if (model) {
    const values = decisionValues(model, vectorize(model, query));
    const ranked = [...values.keys()].filter((i) => !exclude.has(model.classes[i]!)).sort((a, b) => values[b]! - values[a]!);
    modelTop = { best: values[ranked[0]!] ?? -1, second: values[ranked[1]!] ?? -1 };
    for (const i of ranked.slice(0, POOL)) {
      const id = model.classes[i]!;
      const known = byId.get(id);
      if (known) known.decision = values[i]!;
      else {
        // The model may predate a deletion: only articles the copy still holds count.
        const hit = sources.article(id);
        if (hit && (!options.locale || hit.locale.toLowerCase() === options.locale.toLowerCase())) byId.set(id, { ...withoutScore(hit), bm25: null, decision: values[i]! });
      }
    }
    // FTS hits outside the model's top classes still get their decision value.
    const index = new Map(model.classes.map((id, i) => [id, i]));
    for (const c of byId.values()) if (c.decision === null && index.has(c.id)) c.decision = values[index.get(c.id)!]!;
  }
  const candidates = [...byId.values()].sort(byRank).slice(0, limit);
  return { candidates, modelTop };
}

function withoutScore({ score: _score, ...hit }: SearchHit): Omit<SearchHit, "score"> {
  return hit;
}

/** Classifier first (it knows the questions); BM25 orders what the model does not cover. */
function byRank(a: Candidate, b: Candidate): number {
  if (a.decision !== null && b.decision !== null) return b.decision - a.decision;
  if (a.decision !== null) return -1;
  if (b.decision !== null) return 1;
  return (b.bm25 ?? 0) - (a.bm25 ?? 0);
}

// The rerank signal in cross-validation. The lexical pass keeps, for each held-out question
// and generic off-topic message, its fold's best RERANK_POOL articles (cross-validation.ts);
// this then asks the reranker about those pairs (at most MAX_RERANKED held-out questions,
// sampled deterministically, plus every generic message; one call per question, a few at a
// time), keeping every score in the replica's cache so a retrain only asks for new pairs,
// and fits a third tuning on the reranked points (Tuning.rerank) with the weight that ranks
// held-out questions best. A failing reranker leaves the tuning without it: what it scored
// stays cached, and the next training asks for the rest.
import { seededRandom } from "../model/classifier.ts";
import { shuffled, type TuningPoint } from "../model/cross-validation.ts";
import { SIGNALS, signalsOf } from "../model/signals.ts";
import type { TrainingArticle } from "../model/training.ts";
import { chooseTuning, PRIOR_TUNING, type ChooseOptions, type Tuning } from "../model/tuning.ts";
import { rerankFused, RERANK_WEIGHTS } from "./rerank-fusion.ts";
import { rerankPassage, type Reranker } from "./reranker.ts";

/** A (question, article) pair the cache knows by hashes: the question's, and the passage's (the article's text as reranked). */
export interface RerankPair {
  queryHash: string;
  articleId: string;
  passageHash: string;
}

/** The replica's cache of training-time rerank scores. */
export interface RerankCache {
  /** The pairs' cached relevances in `space` (undefined: not cached, or for another passage). */
  get(space: string, pairs: RerankPair[]): Array<number | undefined>;
  put(space: string, pairs: RerankPair[], scores: number[]): void;
  /** Drops the scores of articles the copy no longer holds. */
  prune(): void;
  /** Cached scores in `space`, for status. */
  count(space: string): number;
}

export interface RerankPorts {
  /** Scores held-out questions at training (a generous time limit). */
  reranker: Reranker;
  cache: RerankCache;
}

export interface RerankTuner {
  /** The tuning fitted on the points' rerank scores; null when none has a view or the reranker failed. */
  tune(points: TuningPoint[], how: ChooseOptions): Promise<(Tuning & { weight: number; space: string }) | null>;
}

/** Held-out questions (in scope and of left-out articles) scored with the reranker at most. */
export const MAX_RERANKED = 400;
/** Questions asked of the reranker at once. */
const CONCURRENCY = 4;
const RERANK_SIGNALS = [...SIGNALS, "rerank"] as const;

async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The rerank tuner of a training set's classes (article ids) and their articles. */
export function rerankTuner(ports: RerankPorts, classes: string[], articles: TrainingArticle[]): RerankTuner {
  const { reranker, cache } = ports;
  const byId = new Map(articles.map((a) => [a.id, a]));
  return {
    async tune(points, how) {
      const viewed = points.filter((p) => p.reranking);
      const heldOut = viewed.filter((p) => p.kind !== "off_topic");
      const sampled = [...shuffled(heldOut, seededRandom(11)).slice(0, MAX_RERANKED), ...viewed.filter((p) => p.kind === "off_topic")];
      if (!sampled.some((p) => p.kind === "in")) return null;
      // Each question once, with every article any of its points' folds ranked best.
      const asked = new Map<string, Set<number>>();
      for (const p of sampled) for (const c of p.reranking!.view.pool) asked.set(p.reranking!.query, (asked.get(p.reranking!.query) ?? new Set()).add(c));
      const passages = new Map<number, { text: string; hash: string }>();
      for (const c of new Set([...asked.values()].flatMap((s) => [...s]))) {
        const text = rerankPassage(byId.get(classes[c]!)!);
        passages.set(c, { text, hash: await digest(text) });
      }
      cache.prune();
      const scores = new Map<string, Map<number, number>>();
      const missing: Array<{ query: string; pairs: RerankPair[]; classes: number[] }> = [];
      for (const [query, set] of asked) {
        const queryHash = await digest(query);
        const list = [...set];
        const pairs = list.map((c) => ({ queryHash, articleId: classes[c]!, passageHash: passages.get(c)!.hash }));
        const cached = cache.get(reranker.space, pairs);
        scores.set(query, new Map(list.flatMap((c, i) => (cached[i] === undefined ? [] : [[c, cached[i]!] as const]))));
        const todo = list.map((c, i) => ({ c, pair: pairs[i]!, known: cached[i] !== undefined })).filter((x) => !x.known);
        if (todo.length) missing.push({ query, pairs: todo.map((x) => x.pair), classes: todo.map((x) => x.c) });
      }
      // A few questions at a time; the first failure stops the rest (cached scores stay).
      let failed = false;
      const worker = async () => {
        for (let job = missing.shift(); job && !failed; job = missing.shift()) {
          try {
            const got = await reranker.rerank(job.query, job.classes.map((c) => passages.get(c)!.text));
            cache.put(reranker.space, job.pairs, got);
            job.classes.forEach((c, i) => scores.get(job.query)!.set(c, got[i]!));
          } catch {
            failed = true;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (failed) return null;
      // Each point reranked at every candidate weight; the weight that ranks the most held-out questions first wins (the smallest on ties).
      const reranked = sampled.map((p) => {
        const { query, label, view } = p.reranking!;
        const s = view.pool.map((c) => scores.get(query)!.get(c)!);
        return RERANK_WEIGHTS.map((w) => {
          const f = rerankFused(view, s, w);
          const top = f.order.map((i) => view.pool[i]!);
          return { kind: p.kind, weight: p.weight, ...signalsOf(f.signals), correct: label !== null && top[0] === label, inTop3: label !== null && top.slice(0, 3).includes(label) };
        });
      });
      const right = RERANK_WEIGHTS.map((_, k) => reranked.filter((r) => r[k]!.kind === "in" && r[k]!.correct).length);
      const k = right.indexOf(Math.max(...right));
      return { ...chooseTuning(reranked.map((r) => r[k]!), PRIOR_TUNING, { ...how, keys: RERANK_SIGNALS }), weight: RERANK_WEIGHTS[k]!, space: reranker.space };
    },
  };
}

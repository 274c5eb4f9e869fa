// A retrieval reranked: the conversation's ports got the reranker's relevances of the
// retrieval's best articles (Retrieval.rerank) in time, and the candidates, the model's
// signals and the tuning become the reranked ones. Without scores (no reranker, a failure,
// a timeout, an open breaker) the retrieval is what it was, less the request.
import { byRank, type Retrieval } from "../retrieval.ts";
import { rerankFused } from "./rerank-fusion.ts";

type Reranks = Pick<Retrieval, "candidates" | "modelTop" | "tuning" | "rerank">;

/** The retrieval with `scores` (one per `rerank.passages` entry) applied; without them, as it was. */
export function applyRerank<R extends Reranks>(retrieval: R, scores?: number[]): Omit<R, "rerank"> {
  const { rerank: request, ...plain } = retrieval;
  if (!request || !scores || scores.length !== request.view.pool.length) return plain;
  const fused = rerankFused(request.view, scores, request.tuning.weight);
  const value = new Map(request.view.pool.map((id, i) => [id, fused.values[i]!]));
  const candidates = plain.candidates
    .map((c) => ({ ...c, decision: value.get(c.id) ?? (c.decision === null ? null : c.decision + fused.shift) }))
    .sort(byRank);
  return { ...plain, candidates, modelTop: fused.signals, tuning: request.tuning };
}

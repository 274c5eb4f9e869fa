// Workers AI's reranker through the AI binding (`@cf/baai/bge-reranker-base` by default):
// { query, contexts: [{ text }], top_k } → { response: [{ id, score }] }. Production only,
// like the embeddings: the `ai` binding is declared in a deployment environment.
import { checkedScores, RerankError, type Reranker } from "../../kb/semantic/reranker.ts";
import type { WorkersAiBinding } from "../llm/workers-ai.ts";

export class WorkersAiReranker implements Reranker {
  readonly space: string;
  private readonly ai: WorkersAiBinding;
  private readonly model: string;

  constructor(ai: WorkersAiBinding, model: string) {
    this.ai = ai;
    this.model = model;
    this.space = `workers-ai:${model}`;
  }

  async rerank(query: string, passages: string[]): Promise<number[]> {
    if (!passages.length) return [];
    let out: unknown;
    try {
      out = await this.ai.run(this.model, { query, contexts: passages.map((text) => ({ text })), top_k: passages.length });
    } catch (err) {
      throw new RerankError("unreachable", (err as Error).name);
    }
    const response = (out as { response?: unknown } | null)?.response;
    return checkedScores(Array.isArray(response) ? response.map((r: { id?: number; score?: number } | null) => ({ index: r?.id, score: r?.score })) : null, passages.length);
  }
}

// Workers AI embeddings through the AI binding (`@cf/baai/bge-m3` by default: multilingual,
// 1024 dimensions). Production only: an `ai` binding in the default wrangler.toml stops
// `wrangler dev` from starting offline, so it is declared in a deployment environment.
import { checkedVectors, EmbeddingError, type Embedder } from "../../kb/semantic/embedder.ts";
import type { WorkersAiBinding } from "../llm/workers-ai.ts";

export class WorkersAiEmbedder implements Embedder {
  readonly space: string;
  private readonly ai: WorkersAiBinding;
  private readonly model: string;

  constructor(ai: WorkersAiBinding, model: string) {
    this.ai = ai;
    this.model = model;
    this.space = `workers-ai:${model}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    let out: unknown;
    try {
      out = await this.ai.run(this.model, { text: texts });
    } catch (err) {
      throw new EmbeddingError("unreachable", (err as Error).name);
    }
    return checkedVectors((out as { data?: unknown } | null)?.data, texts.length);
  }
}

// An OpenAI-compatible embeddings endpoint (OpenAI, Cloudflare AI Gateway, vLLM, Ollama,
// text-embeddings-inference, …): POST {base}/v1/embeddings with the model and the texts.
import { checkedVectors, EmbeddingError, type Embedder } from "../../kb/semantic/embedder.ts";
import { postJson, v1Url } from "./post-json.ts";

export interface OpenAiEmbeddingsConfig {
  /** e.g. https://api.openai.com or http://127.0.0.1:8080 (a base ending in /v1 is taken as is). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/** The embeddings URL of a base URL: `/v1/embeddings` under it, or `/embeddings` when it already ends in /v1. */
export function embeddingsUrl(baseUrl: string): string {
  return v1Url(baseUrl, "embeddings");
}

export class OpenAiCompatibleEmbedder implements Embedder {
  readonly space: string;
  private readonly config: OpenAiEmbeddingsConfig;
  private readonly url: string;

  constructor(config: OpenAiEmbeddingsConfig) {
    this.config = config;
    this.space = `openai:${config.model}`;
    this.url = embeddingsUrl(config.baseUrl);
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const body = await postJson<{ data?: Array<{ index?: number; embedding?: unknown }> }>(
      this.url,
      { model: this.config.model, input: texts, encoding_format: "float" },
      { apiKey: this.config.apiKey, fetch: this.config.fetch, signal },
      (kind, detail) => new EmbeddingError(kind, detail),
    );
    // Each item says which input it belongs to; the list need not be in order.
    const items = Array.isArray(body?.data) ? [...body.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)) : null;
    return checkedVectors(items?.map((d) => d.embedding), texts.length);
  }
}

// A /v1/rerank endpoint, as vLLM, Infinity, text-embeddings-router, Jina and Cohere serve it
// (RERANKER_PROVIDER=openai, named like EMBEDDINGS_PROVIDER's OpenAI-compatible choice):
// POST {base}/v1/rerank { model, query, documents, top_n } → { results: [{ index, relevance_score }] }.
import { checkedScores, RerankError, type Reranker } from "../../kb/semantic/reranker.ts";
import { postJson, v1Url } from "../embeddings/post-json.ts";

export interface RerankEndpointConfig {
  /** e.g. http://127.0.0.1:8080 (a base ending in /v1 is taken as is). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

export class OpenAiCompatibleReranker implements Reranker {
  readonly space: string;
  private readonly config: RerankEndpointConfig;
  private readonly url: string;

  constructor(config: RerankEndpointConfig) {
    this.config = config;
    this.space = `openai:${config.model}`;
    this.url = v1Url(config.baseUrl, "rerank");
  }

  async rerank(query: string, passages: string[], signal?: AbortSignal): Promise<number[]> {
    if (!passages.length) return [];
    const body = await postJson<{ results?: Array<{ index?: number; relevance_score?: number }> }>(
      this.url,
      { model: this.config.model, query, documents: passages, top_n: passages.length },
      { apiKey: this.config.apiKey, fetch: this.config.fetch, signal },
      (kind, detail) => new RerankError(kind, detail),
    );
    const results = Array.isArray(body?.results) ? body.results.map((r) => ({ index: r?.index, score: r?.relevance_score })) : null;
    return checkedScores(results, passages.length);
  }
}

// Which embeddings provider, if any, the configuration asks for (EMBEDDINGS_PROVIDER), and
// the two ways it is called: a question within the turn's deadline behind the
// "embeddings" breaker (lexical only when that fails), and articles' texts at sync, in
// batches with a longer time limit (a failure leaves them to catch up later).
import type { Config } from "../../config.ts";
import { EmbeddingError, type Embedder } from "../../kb/semantic/embedder.ts";
import { TimeoutError, withTimeout, type Breakers } from "../../resilience/breaker.ts";
import type { WorkersAiBinding } from "../llm/workers-ai.ts";
import { OpenAiCompatibleEmbedder } from "./openai-compatible.ts";
import { WorkersAiEmbedder } from "./workers-ai.ts";

/** A batch of article texts at sync may take this long (a question gets EMBEDDINGS_TIMEOUT_MS). */
export const SYNC_EMBED_TIMEOUT_MS = 30_000;

/** The configured embedder, or null when embeddings are off (the default) or misconfigured. */
export function embeddingsProvider(env: Env, config: Config["embeddings"]): Embedder | null {
  if (config.provider === "openai" && config.baseUrl && config.model) {
    return new OpenAiCompatibleEmbedder({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey });
  }
  // The AI binding exists only where a deployment's wrangler environment declares it.
  const ai = (env as unknown as { AI?: WorkersAiBinding }).AI;
  if (config.provider === "workers-ai" && ai) return new WorkersAiEmbedder(ai, config.model || "@cf/baai/bge-m3");
  return null;
}

/** An embedder whose every call gives up after `ms` (an EmbeddingError "timeout"). */
export function timedEmbedder(embedder: Embedder, ms: number): Embedder {
  return {
    space: embedder.space,
    embed: (texts) =>
      withTimeout(embedder.embed(texts, AbortSignal.timeout(ms)), ms, "embeddings").catch((err: unknown) => {
        throw err instanceof TimeoutError ? new EmbeddingError("timeout", "time limit") : err;
      }),
  };
}

/**
 * A question's vector within `timeoutMs`, through the "embeddings" breaker; undefined when the
 * call fails, times out or the breaker is open: the turn goes on lexical, which is the normal
 * path (nothing in the reply says degraded).
 */
export function queryEmbedding(embedder: Embedder, breakers: Breakers, timeoutMs: number): (query: string) => Promise<Float32Array | undefined> {
  return async (query) => {
    if (!query.trim()) return undefined;
    const embed = () => embedder.embed([query], AbortSignal.timeout(timeoutMs));
    return breakers
      .get("embeddings")
      .run(embed, timeoutMs)
      .then(
        (vectors) => vectors[0],
        () => undefined,
      );
  };
}

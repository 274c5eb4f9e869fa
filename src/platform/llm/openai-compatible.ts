// An OpenAI-compatible chat completions endpoint (OpenAI, Cloudflare AI Gateway, vLLM,
// Ollama, …), streamed.
import { ProviderError, sseData, type GenerationRequest, type LlmProvider } from "../../answer/generation/provider.ts";

export interface OpenAiCompatibleConfig {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = "openai-compatible";
  private readonly config: OpenAiCompatibleConfig;

  constructor(config: OpenAiCompatibleConfig) {
    this.config = config;
  }

  async *stream(request: GenerationRequest): AsyncIterable<string> {
    const fetcher = this.config.fetch ?? fetch;
    let res: Response;
    try {
      res = await fetcher(`${this.config.baseUrl.replace(/(?<!\/)\/+$/, "")}/chat/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(this.config.apiKey && { Authorization: `Bearer ${this.config.apiKey}` }) },
        body: JSON.stringify({ model: request.model ?? this.config.model, messages: request.messages, max_tokens: request.maxTokens, temperature: 0.2, stream: true }),
        signal: request.signal,
      });
    } catch (err) {
      throw new ProviderError((err as Error).name === "TimeoutError" || (err as Error).name === "AbortError" ? "timeout" : "unreachable", (err as Error).name);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new ProviderError(res.status === 429 ? "rate_limited" : "status", String(res.status));
    }
    for await (const data of sseData(res.body)) {
      if (data === "[DONE]") return;
      let chunk: { choices?: Array<{ delta?: { content?: string } }> };
      try {
        chunk = JSON.parse(data);
      } catch {
        throw new ProviderError("malformed", "a stream chunk is not JSON");
      }
      const text = chunk.choices?.[0]?.delta?.content;
      if (text) yield text;
    }
  }
}

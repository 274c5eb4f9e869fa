// The Workers AI binding as a provider. Production only: an `ai` binding in the default
// wrangler.toml stops `wrangler dev` from starting offline, so it lives in an env block.
import { ProviderError, sseData, type GenerationRequest, type LlmProvider } from "../../answer/generation/provider.ts";

/** The part of the Workers AI binding this provider uses. */
export interface WorkersAiBinding {
  run(model: string, input: Record<string, unknown>): Promise<unknown>;
}

export class WorkersAiProvider implements LlmProvider {
  readonly name = "workers-ai";
  private readonly ai: WorkersAiBinding;
  private readonly model: string;

  constructor(ai: WorkersAiBinding, model: string) {
    this.ai = ai;
    this.model = model;
  }

  async *stream(request: GenerationRequest): AsyncIterable<string> {
    let out: unknown;
    try {
      out = await this.ai.run(request.model ?? this.model, { messages: request.messages, max_tokens: request.maxTokens, stream: true });
    } catch (err) {
      throw new ProviderError("unreachable", (err as Error).name);
    }
    if (!(out instanceof ReadableStream)) throw new ProviderError("malformed", "expected a stream");
    for await (const data of sseData(out as ReadableStream<Uint8Array>)) {
      if (data === "[DONE]") return;
      try {
        const text = (JSON.parse(data) as { response?: string }).response;
        if (text) yield text;
      } catch {
        throw new ProviderError("malformed", "a stream chunk is not JSON");
      }
    }
  }
}

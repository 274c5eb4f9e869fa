// The LLM provider port: something that turns a prompt into a stream of text. Generation is
// optional and off by default; every caller falls back to the extractive answer on failure.

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface GenerationRequest {
  messages: ChatMessage[];
  maxTokens: number;
  signal?: AbortSignal;
  /** Overrides the provider's configured model (answer settings). */
  model?: string;
}

export interface LlmProvider {
  readonly name: string;
  /** Yields text as it is generated. Throws ProviderError when the provider fails. */
  stream(request: GenerationRequest): AsyncIterable<string>;
}

/** A provider failed: unreachable, an error status, a malformed stream. No provider text inside. */
export class ProviderError extends Error {
  readonly kind: "unreachable" | "status" | "rate_limited" | "malformed" | "timeout";
  constructor(kind: ProviderError["kind"], detail: string) {
    super(`LLM provider ${kind}: ${detail}`);
    this.name = "ProviderError";
    this.kind = kind;
  }
}

/** Reads `data:` lines of a server-sent event stream. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("data:")) yield line.slice(5).trim();
    }
  }
  if (buffer.startsWith("data:")) yield buffer.slice(5).trim();
}

// Grounded generation: ask the provider to word an answer from the retrieved articles,
// stream it sentence by sentence once each sentence passes the checks, and give up —
// leaving the caller to send the extractive answer — on any doubt: an injection attempt,
// NO_ANSWER, an ungrounded or unsafe sentence, a provider failure or a timeout.
import { checkSentence, factsOf, looksLikeInjection } from "./guard.ts";
import { groundedPrompt, NO_ANSWER } from "./prompt.ts";
import { ProviderError, type LlmProvider } from "./provider.ts";

export interface GenerationConfig {
  maxTokens: number;
  timeoutMs: number;
  /** The model to ask instead of the provider's configured one (answer settings). */
  model?: string;
  /** Extra instructions for the prompt (answer settings); the grounding rules stay. */
  instructions?: string;
}

export type GenerationFailure = "injection" | "no_answer" | "ungrounded" | "unsafe" | "provider_error" | "rate_limited" | "timeout" | "empty";

export type GenerationOutcome = { ok: true; text: string } | { ok: false; reason: GenerationFailure };

export interface GenerationInput {
  question: string;
  articles: Array<{ title: string; answer: string }>;
  language: string;
}

const SENTENCE_END = /[.!?。！？\n](?=\s|$)|[。！？\n]/u;

export async function generateGrounded(provider: LlmProvider, input: GenerationInput, config: GenerationConfig, onDelta?: (text: string) => void): Promise<GenerationOutcome> {
  if (looksLikeInjection(input.question)) return { ok: false, reason: "injection" };
  const sources = factsOf(input.articles.map((a) => `${a.title}\n${a.answer}`).join("\n"));
  const messages = groundedPrompt(input.question, input.articles, input.language, undefined, config.instructions);
  const maxChars = config.maxTokens * 4;
  let text = "";
  let pending = "";
  const accept = (sentence: string): GenerationFailure | null => {
    if (sentence.includes(NO_ANSWER)) return "no_answer";
    const check = checkSentence(sentence, sources);
    if (check !== "ok") return check;
    text += sentence;
    onDelta?.(sentence);
    return null;
  };
  const signal = AbortSignal.timeout(config.timeoutMs);
  const stream = provider.stream({ messages, maxTokens: config.maxTokens, signal, ...(config.model && { model: config.model }) })[Symbol.asyncIterator]();
  const stopped = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new ProviderError("timeout", "generation")), { once: true }));
  stopped.catch(() => {});
  try {
    // The time limit holds even against a provider that stops sending without closing.
    for (let step = await Promise.race([stream.next(), stopped]); !step.done; step = await Promise.race([stream.next(), stopped])) {
      const chunk = step.value;
      pending += chunk;
      for (let end = pending.search(SENTENCE_END); end >= 0; end = pending.search(SENTENCE_END)) {
        const failure = accept(pending.slice(0, end + 1));
        if (failure) return { ok: false, reason: failure };
        pending = pending.slice(end + 1);
      }
      if (text.length + pending.length > maxChars) break;
    }
  } catch (err) {
    void stream.return?.(undefined).catch(() => {});
    if (err instanceof ProviderError) return { ok: false, reason: err.kind === "timeout" ? "timeout" : err.kind === "rate_limited" ? "rate_limited" : "provider_error" };
    const name = (err as Error).name;
    return { ok: false, reason: name === "TimeoutError" || name === "AbortError" ? "timeout" : "provider_error" };
  }
  if (pending.trim()) {
    const failure = accept(pending);
    if (failure) return { ok: false, reason: failure };
  }
  return text.trim() ? { ok: true, text: text.trim() } : { ok: false, reason: "empty" };
}

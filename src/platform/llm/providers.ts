// Which LLM provider, if any, the configuration asks for.
import type { Config } from "../../config.ts";
import { OpenAiCompatibleProvider } from "./openai-compatible.ts";
import type { LlmProvider } from "../../answer/generation/provider.ts";
import { WorkersAiProvider, type WorkersAiBinding } from "./workers-ai.ts";

/** The configured provider, or null when generation is off (the default) or misconfigured. */
export function llmProvider(env: Env, config: Config["llm"]): LlmProvider | null {
  if (config.provider === "openai" && config.baseUrl && config.model) {
    return new OpenAiCompatibleProvider({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey });
  }
  // The AI binding exists only where a deployment's wrangler environment declares it.
  const ai = (env as unknown as { AI?: WorkersAiBinding }).AI;
  if (config.provider === "workers-ai" && ai && config.model) return new WorkersAiProvider(ai, config.model);
  return null;
}

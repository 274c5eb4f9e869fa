// Values the Node global setups hand to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    libsqlUrl: string;
    /** The KB endpoint's bearer token (fresh per run). */
    libsqlAuthToken: string;
    /** The FAKE OpenAI-compatible server (scripts/fake-llm.ts). */
    llmUrl: string;
    /** The FAKE OpenAI-compatible embeddings server (test/support/fake-embeddings.ts). */
    embeddingsUrl: string;
    /** The local alert webhook receiver (test/support/webhook-receiver.ts). */
    webhookUrl: string;
    baseUrl: string;
    hostPageUrl: string;
    /** The e2e stack's state folder (Durable Object storage under wrangler/, the KB, secrets.json). */
    stateDir: string;
    /** Operator keys in the e2e stack: agents Ana (en) and 李娜 (zh) of team support, and a kb_editor. */
    agentKeys: { en: string; zh: string; editor: string };
  }
}
export {};

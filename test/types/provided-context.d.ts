// Values the Node global setups hand to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    libsqlUrl: string;
    /** The KB endpoint's bearer token (fresh per run). */
    libsqlAuthToken: string;
    /** The FAKE OpenAI-compatible server (scripts/fake-llm.ts). */
    llmUrl: string;
    baseUrl: string;
    hostPageUrl: string;
  }
}
export {};

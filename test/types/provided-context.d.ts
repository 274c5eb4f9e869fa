// Values the Node global setups hand to tests through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    libsqlUrl: string;
    /** The FAKE OpenAI-compatible server (scripts/fake-llm.ts). */
    llmUrl: string;
    /** The local alert webhook receiver (test/support/webhook-receiver.ts). */
    webhookUrl: string;
    baseUrl: string;
    hostPageUrl: string;
  }
}
export {};

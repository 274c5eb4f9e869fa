// Which embeddings provider the settings choose (EMBEDDINGS_PROVIDER, off by default), and the
// Workers AI provider against a FAKE `AI` binding (Workers AI cannot run here): it sends the
// texts to the model and returns unit vectors, or fails with a kind and no text.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { EmbeddingError } from "../../src/kb/semantic/embedder.ts";
import { embeddingsProvider } from "../../src/platform/embeddings/providers.ts";
import { WorkersAiEmbedder } from "../../src/platform/embeddings/workers-ai.ts";

const fakeAi = (answer: (model: string, input: Record<string, unknown>) => unknown) => {
  const calls: Array<{ model: string; input: Record<string, unknown> }> = [];
  return {
    calls,
    run: async (model: string, input: Record<string, unknown>) => {
      calls.push({ model, input });
      return answer(model, input);
    },
  };
};
const providerOf = (vars: Record<string, string>, env: Record<string, unknown> = {}) => embeddingsProvider(env as unknown as Env, readConfig(vars).embeddings);

describe("EMBEDDINGS_PROVIDER", () => {
  it("is off by default, and off when its provider lacks what it needs", () => {
    expect(readConfig({}).embeddings).toMatchObject({ provider: "off", timeoutMs: 400 });
    expect(providerOf({})).toBeNull();
    expect(providerOf({ EMBEDDINGS_PROVIDER: "something-else", EMBEDDINGS_BASE_URL: "http://x", EMBEDDINGS_MODEL: "m" })).toBeNull();
    expect(providerOf({ EMBEDDINGS_PROVIDER: "openai", EMBEDDINGS_MODEL: "m" })).toBeNull();
    // Workers AI needs the AI binding, which only the deployment environments declare.
    expect(providerOf({ EMBEDDINGS_PROVIDER: "workers-ai" })).toBeNull();
  });

  it("chooses the OpenAI-compatible endpoint or Workers AI (bge-m3 unless EMBEDDINGS_MODEL says otherwise)", () => {
    expect(providerOf({ EMBEDDINGS_PROVIDER: "openai", EMBEDDINGS_BASE_URL: "http://127.0.0.1:8080", EMBEDDINGS_MODEL: "bge-m3" })?.space).toBe("openai:bge-m3");
    const AI = fakeAi(() => ({}));
    expect(providerOf({ EMBEDDINGS_PROVIDER: "workers-ai" }, { AI })?.space).toBe("workers-ai:@cf/baai/bge-m3");
    expect(providerOf({ EMBEDDINGS_PROVIDER: "workers-ai", EMBEDDINGS_MODEL: "@cf/baai/bge-small-en-v1.5" }, { AI })?.space).toBe("workers-ai:@cf/baai/bge-small-en-v1.5");
  });
});

describe("the Workers AI embeddings provider (fake AI binding)", () => {
  it("sends the texts to the model and returns one unit vector per text", async () => {
    const ai = fakeAi(() => ({ shape: [2, 2], data: [[3, 4], [0, 2]] }));
    const vectors = await new WorkersAiEmbedder(ai, "@cf/baai/bge-m3").embed(["a", "b"]);
    expect(ai.calls).toEqual([{ model: "@cf/baai/bge-m3", input: { text: ["a", "b"] } }]);
    expect(vectors.map((v) => [...v])).toEqual([[Math.fround(0.6), Math.fround(0.8)], [0, 1]]);
    expect(await new WorkersAiEmbedder(ai, "m").embed([])).toEqual([]);
  });

  it("fails with a kind and without the text on an error or a malformed answer", async () => {
    const failing = new WorkersAiEmbedder(fakeAi(() => Promise.reject(new Error("AI down"))), "m");
    const malformed = new WorkersAiEmbedder(fakeAi(() => ({ data: [[1, 2]] })), "m");
    for (const [embedder, kind] of [[failing, "unreachable"], [malformed, "malformed"]] as const) {
      const err = await embedder.embed(["my card is 4111 1111 1111 1111", "second"]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddingError);
      expect(err).toMatchObject({ kind });
      expect((err as Error).message).not.toContain("4111");
    }
  });
});

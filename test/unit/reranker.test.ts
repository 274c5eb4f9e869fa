// The reranker's pure parts and providers: RERANKER_PROVIDER's choice (off by default), the
// /v1/rerank provider's wire through an injected fetch and the Workers AI provider against a
// FAKE `AI` binding (no model runs here), their errors (a kind, never text), scores placed by
// index and logits turned into relevances, the passage, the reranked ordering and signals
// (with weight 0 exactly the classifier's), a retrieval reranked, and the calibration's
// `rerank` key weighed only when both sides have it.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";
import { modelSignals } from "../../src/kb/model/signals.ts";
import { calibrated, PRIOR_TUNING, sigmoid, type Tuning } from "../../src/kb/model/tuning.ts";
import type { Retrieval } from "../../src/kb/retrieval.ts";
import { applyRerank } from "../../src/kb/semantic/rerank-apply.ts";
import { rerankFused, rerankView, RERANK_POOL } from "../../src/kb/semantic/rerank-fusion.ts";
import { checkedScores, PASSAGE_CHARS, RerankError, rerankPassage } from "../../src/kb/semantic/reranker.ts";
import { OpenAiCompatibleReranker } from "../../src/platform/reranker/openai-compatible.ts";
import { rerankerProvider } from "../../src/platform/reranker/providers.ts";
import { WorkersAiReranker } from "../../src/platform/reranker/workers-ai.ts";

const providerOf = (vars: Record<string, string>, env: Record<string, unknown> = {}) => rerankerProvider(env as unknown as Env, readConfig(vars).reranker);
const AI = { run: async () => ({}) };

describe("RERANKER_PROVIDER", () => {
  it("is off by default, for an unknown value, and without what the provider needs", () => {
    expect(readConfig({}).reranker).toMatchObject({ provider: "off", timeoutMs: 300 });
    expect(providerOf({})).toBeNull();
    expect(providerOf({ RERANKER_PROVIDER: "cohere", RERANKER_BASE_URL: "http://x", RERANKER_MODEL: "m" })).toBeNull();
    expect(providerOf({ RERANKER_PROVIDER: "openai", RERANKER_MODEL: "m" })).toBeNull();
    expect(providerOf({ RERANKER_PROVIDER: "workers-ai" })).toBeNull();
  });

  it("chooses a /v1/rerank endpoint or Workers AI (bge-reranker-base unless RERANKER_MODEL says otherwise)", () => {
    expect(providerOf({ RERANKER_PROVIDER: "openai", RERANKER_BASE_URL: "http://127.0.0.1:8080", RERANKER_MODEL: "bge-reranker-v2-m3" })?.space).toBe("openai:bge-reranker-v2-m3");
    expect(providerOf({ RERANKER_PROVIDER: "workers-ai" }, { AI })?.space).toBe("workers-ai:@cf/baai/bge-reranker-base");
    expect(providerOf({ RERANKER_PROVIDER: "workers-ai", RERANKER_MODEL: "@cf/other" }, { AI })?.space).toBe("workers-ai:@cf/other");
  });
});

describe("the /v1/rerank provider (injected fetch)", () => {
  const answering = (status: number, body: unknown) => {
    const sent: Array<{ url: string; init: RequestInit }> = [];
    const fetch = (async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
    }) as unknown as typeof globalThis.fetch;
    return { sent, reranker: new OpenAiCompatibleReranker({ baseUrl: "https://rr.example/v1/", model: "bge-reranker-base", apiKey: "k", fetch }) };
  };

  it("posts { model, query, documents, top_n } with the key and places each score by its index", async () => {
    const { sent, reranker } = answering(200, { results: [{ index: 1, relevance_score: 0.9 }, { index: 0, relevance_score: 0.2 }] });
    expect(await reranker.rerank("refund", ["Track an order", "Refunds"])).toEqual([0.2, 0.9]);
    expect(sent[0]!.url).toBe("https://rr.example/v1/rerank");
    expect(JSON.parse(sent[0]!.init.body as string)).toEqual({ model: "bge-reranker-base", query: "refund", documents: ["Track an order", "Refunds"], top_n: 2 });
    expect((sent[0]!.init.headers as Record<string, string>).Authorization).toBe("Bearer k");
    expect(await reranker.rerank("refund", [])).toEqual([]);
  });

  it.each<[string, number, unknown, RerankError["kind"]]>([
    ["an error status", 500, {}, "status"],
    ["a rate limit", 429, {}, "rate_limited"],
    ["a body that is not JSON", 200, "<html>", "malformed"],
    ["a missing result", 200, { results: [{ index: 0, relevance_score: 0.5 }] }, "malformed"],
    ["an index out of range", 200, { results: [{ index: 0, relevance_score: 0.5 }, { index: 2, relevance_score: 0.5 }] }, "malformed"],
    ["a score that is not a number", 200, { results: [{ index: 0, relevance_score: "high" }, { index: 1, relevance_score: 0.1 }] }, "malformed"],
  ])("fails with a kind and no text on %s", async (_, status, body, kind) => {
    const err = await answering(status, body).reranker.rerank("card 4111 1111 1111 1111", ["a", "b"]).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RerankError);
    expect((err as RerankError).kind).toBe(kind);
    expect((err as Error).message).not.toContain("4111");
  });
});

describe("the Workers AI reranker (FAKE AI binding)", () => {
  it("sends { query, contexts: [{ text }], top_k } and places { response: [{ id, score }] } by id", async () => {
    const calls: unknown[] = [];
    const ai = { run: async (model: string, input: Record<string, unknown>) => (calls.push({ model, input }), { response: [{ id: 1, score: 0.7 }, { id: 0, score: 0.1 }] }) };
    expect(await new WorkersAiReranker(ai, "@cf/baai/bge-reranker-base").rerank("q", ["a", "b"])).toEqual([0.1, 0.7]);
    expect(calls).toEqual([{ model: "@cf/baai/bge-reranker-base", input: { query: "q", contexts: [{ text: "a" }, { text: "b" }], top_k: 2 } }]);
  });

  it("fails with a kind and no text when the binding throws or answers something else", async () => {
    const throwing = new WorkersAiReranker({ run: async () => Promise.reject(new TypeError("card 4111")) }, "m");
    await expect(throwing.rerank("q", ["a"])).rejects.toMatchObject({ name: "RerankError", kind: "unreachable", message: "reranker unreachable: TypeError" });
    await expect(new WorkersAiReranker({ run: async () => ({ result: [] }) }, "m").rerank("q", ["a"])).rejects.toMatchObject({ kind: "malformed" });
  });
});

describe("scores and passages", () => {
  it("keeps probabilities as they are and passes a response of logits through a sigmoid", () => {
    expect(checkedScores([{ index: 0, score: 0.3 }, { index: 1, score: 1 }], 2)).toEqual([0.3, 1]);
    expect(checkedScores([{ index: 0, score: -2 }, { index: 1, score: 0.5 }], 2)).toEqual([sigmoid(-2), sigmoid(0.5)]);
  });

  it("a passage is the title and the start of the answer, bounded", () => {
    const passage = rerankPassage({ title: "Refunds", answer: "x".repeat(2_000) });
    expect(passage.startsWith("Refunds\nxxx")).toBe(true);
    expect(passage.length).toBe("Refunds\n".length + PASSAGE_CHARS);
  });
});

describe("reranked ordering and signals", () => {
  // Classes 0..6 with decision values; class 5 is the nearest centroid; 6 is skipped.
  const values = Float32Array.from([0.9, 0.8, 0.5, 0.3, 0.2, 0.1, 2]);
  const ranked = [0, 1, 2, 3, 4, 5];
  const near = Float32Array.from([0.4, 0.6, 0.2, 0.1, 0.1, 0.9, 0]);
  const view = rerankView(values, ranked, 0.7, near, (c) => c);

  it("the pool is the best RERANK_POOL classes; with weight 0 the order and the signals are the classifier's", () => {
    expect(view.pool).toEqual(ranked.slice(0, RERANK_POOL));
    expect(view.nearest).toBe(5);
    expect(view.next).toBeCloseTo(0.1);
    const f = rerankFused(view, [0.1, 0.9, 0.5, 0.5, 0.5], 0);
    expect(f.order).toEqual([0, 1, 2, 3, 4]);
    const { rerank, ...signals } = f.signals;
    expect(signals).toEqual(modelSignals(values, ranked, 0.7, near));
    expect(rerank).toBe(0.1);
  });

  it("a weight reorders the pool by decision value + weight × relevance; the signals are about the new best", () => {
    const f = rerankFused(view, [0.1, 0.9, 0.3, 0.3, 0.3], 1);
    expect(f.order).toEqual([1, 0, 2, 3, 4]);
    expect(f.signals).toMatchObject({ best: expect.closeTo(1.7, 5), second: expect.closeTo(1.0, 5), similarity: expect.closeTo(0.6, 5), agree: 0, rerank: 0.9, coverage: 0.7 });
    expect(f.shift).toBeCloseTo(0.1);
  });

  it("a retrieval with scores is reranked (candidates, signals, tuning); without, it is what it was, less the request", () => {
    const rerankTuning = { ...PRIOR_TUNING, weight: 1, space: "fake:x" } as unknown as NonNullable<Tuning["rerank"]>;
    const candidate = (id: string, decision: number | null) => ({ id, slug: id, locale: "en", title: id, answer: "", tags: [], questions: [], version: 1, bm25: null, decision });
    const retrieval = {
      candidates: [candidate("a", 0.9), candidate("b", 0.8), candidate("c", null)],
      modelTop: modelSignals(values, ranked, 0.7, near),
      tuning: null,
      rerank: { view: rerankView(values, [0, 1], 0.7, near, (c) => "ab"[c]!), passages: ["a", "b"], tuning: rerankTuning },
    } satisfies Pick<Retrieval, "candidates" | "modelTop" | "tuning" | "rerank">;
    const { rerank: _, ...plain } = retrieval;
    expect(applyRerank(retrieval)).toEqual(plain);
    expect(applyRerank(retrieval, [0.5])).toEqual(plain);
    const reranked = applyRerank(retrieval, [0.1, 0.9]);
    expect(reranked.candidates.map((c) => [c.id, c.decision])).toEqual([["b", expect.closeTo(1.7, 5)], ["a", expect.closeTo(1.0, 5)], ["c", null]]);
    expect(reranked.modelTop).toMatchObject({ rerank: 0.9, best: expect.closeTo(1.7, 5) });
    expect(reranked.tuning).toBe(rerankTuning);
  });
});

describe("the calibration's rerank key", () => {
  const s = { top: 0.5, margin: 0.2, coverage: 0.8, similarity: 0.4, agree: 1 };
  it("is weighed only when the calibration was fitted with it and the question has it", () => {
    const c = { ...PRIOR_TUNING.calibration.correct };
    expect(calibrated(c, { ...s, rerank: 0.9 })).toBe(calibrated(c, s));
    expect(calibrated({ ...c, rerank: 2 }, s)).toBe(calibrated(c, s));
    expect(calibrated({ ...c, rerank: 2 }, { ...s, rerank: 0.9 })).toBeGreaterThan(calibrated(c, s));
  });
});

// A FAKE OpenAI-compatible embeddings and rerank server (POST /v1/embeddings, POST
// /v1/rerank), for tests and for showing the eval's plumbing: no model runs here (none can,
// offline). Its vectors are a hashed bag of character 2- and 3-grams in 256 dimensions,
// normalised: deterministic, and texts that share spelling get similar vectors; its rerank
// relevance is the cosine of the two texts' vectors (0 when negative). That says nothing
// about meaning, so what the eval measures against it says nothing about quality. Tests script failures and read
// what was sent, directly (Node) or over HTTP (`POST /_fake/script`, `GET /_fake/requests`).
// `node test/support/fake-embeddings.ts [--port 8791]` runs it on its own.
import { parseArgs } from "node:util";
import { startScriptedServer, type ScriptedServer } from "../../scripts/fake-server.ts";
import type { Embedder } from "../../src/kb/semantic/embedder.ts";
import type { Reranker } from "../../src/kb/semantic/reranker.ts";

export const FAKE_DIMS = 256;

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The fake's vector of a text: signed hashed character 2- and 3-grams, L2-normalised. */
export function fakeVector(text: string): Float32Array {
  const chars = [...` ${text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim()} `];
  const v = new Float32Array(FAKE_DIMS);
  for (const n of [2, 3]) {
    for (let i = 0; i + n <= chars.length; i++) {
      const h = hash(chars.slice(i, i + n).join(""));
      v[h % FAKE_DIMS]! += (h >>> 16) & 1 ? 1 : -1;
    }
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}

/** The fake's rerank relevance of a passage to a query: how much spelling they share, 0 to 1. */
export function fakeRelevance(query: string, passage: string): number {
  const q = fakeVector(query);
  const p = fakeVector(passage);
  let dot = 0;
  for (let i = 0; i < FAKE_DIMS; i++) dot += q[i]! * p[i]!;
  return Math.max(0, Math.min(1, dot));
}

/** The same relevances in process: `fail` makes a call throw, `calls` records each call's passage count. */
export function fakeReranker(options: { fail?: () => boolean } = {}): Reranker & { calls: number[] } {
  const calls: number[] = [];
  return {
    space: "fake:ngram-overlap",
    calls,
    rerank: async (query, passages) => {
      calls.push(passages.length);
      if (options.fail?.()) throw new Error("fake reranker failure");
      return passages.map((p) => fakeRelevance(query, p));
    },
  };
}

/** The same vectors in process (unit tests): `fail` makes a call throw, `calls` counts texts per call. */
export function fakeEmbedder(options: { fail?: () => boolean } = {}): Embedder & { calls: number[] } {
  const calls: number[] = [];
  return {
    space: "fake:ngrams",
    calls,
    embed: async (texts) => {
      calls.push(texts.length);
      if (options.fail?.()) throw new Error("fake embedder failure");
      return texts.map(fakeVector);
    },
  };
}

export type FakeEmbeddingsBehaviour = { kind: "ok" } | { kind: "status"; status: number } | { kind: "hang" } | { kind: "malformed" };

/** A call's model and texts (a rerank call's documents, with its query). */
export type FakeEmbeddingsRequest = { model: string; input: string[]; query?: string };
export type FakeEmbeddings = ScriptedServer<FakeEmbeddingsBehaviour, FakeEmbeddingsRequest>;

export function startFakeEmbeddings(options: { port?: number; apiKey?: string } = {}): Promise<FakeEmbeddings> {
  return startScriptedServer<FakeEmbeddingsBehaviour, FakeEmbeddingsRequest>(
    { kind: "ok" },
    ({ req, res, body, behaviour, requests }) => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const rerank = req.url === "/v1/rerank";
      if ((req.url !== "/v1/embeddings" && !rerank) || req.method !== "POST") return json(404, { error: { message: "not found" } });
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return json(401, { error: { message: "bad key" } });
      if (rerank) {
        const { model, query, documents } = JSON.parse(body) as { model: string; query: string; documents: string[] };
        requests.push({ model, input: documents, query });
        if (behaviour.kind === "hang") return;
        if (behaviour.kind === "status") return json(behaviour.status, { error: { message: "fake failure" } });
        if (behaviour.kind === "malformed") return json(200, { results: [{ index: 0, relevance_score: "no" }] });
        // Best first, as these servers answer: clients must place scores by index.
        const results = documents.map((d, index) => ({ index, relevance_score: fakeRelevance(query, d) })).sort((a, b) => b.relevance_score - a.relevance_score);
        return json(200, { id: "fake", model, results, usage: { total_tokens: 0 } });
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string | string[] };
      const texts = Array.isArray(input) ? input : [input];
      requests.push({ model, input: texts });
      if (behaviour.kind === "hang") return; // never answers
      if (behaviour.kind === "status") return json(behaviour.status, { error: { message: "fake failure" } });
      if (behaviour.kind === "malformed") return json(200, { data: [{ index: 0, embedding: "no" }] });
      // Listed out of order, as the API allows: clients must place vectors by index.
      const data = texts.map((t, index) => ({ object: "embedding", index, embedding: [...fakeVector(t)] })).reverse();
      json(200, { object: "list", model, data, usage: { prompt_tokens: 0, total_tokens: 0 } });
    },
    options.port,
  );
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: "string" } } });
  const fake = await startFakeEmbeddings({ port: Number(values.port ?? 8791) });
  console.log(`FAKE embeddings and rerank server (hashed n-grams, no model) at ${fake.url}/v1/embeddings and ${fake.url}/v1/rerank`);
}

// The reranker with the real replica store on libSQL, the real engine and the real /v1/rerank
// provider, against a FAKE rerank server (character n-gram overlap, no model:
// test/support/fake-embeddings.ts). The provider's wire and failures, the "reranker" breaker
// and its time limit, scores cached at training so a retrain asks only for new pairs, the
// signal reaching the calibration, a failing reranker that holds nothing up, and the off
// path: without a reranker everything is exactly as it was.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../scripts/eval/datasets.ts";
import { buildReplica, type EvalReplica } from "../../scripts/eval/replica.ts";
import { sqliteStorage } from "../../scripts/eval/sqlite-storage.ts";
import { ReplicaRerankCache } from "../../durable-objects/knowledge-replica-rerank.ts";
import { replicaMigrations } from "../../migrations/replica/index.ts";
import { applyMigrations } from "../../src/storage/migrations.ts";
import { crossValidate } from "../../src/kb/model/cross-validation.ts";
import { trainingSet, type TrainingArticle } from "../../src/kb/model/training.ts";
import type { Tuning } from "../../src/kb/model/tuning.ts";
import { RERANK_RETRY_MS } from "../../src/kb/engine.ts";
import { RERANK_POOL } from "../../src/kb/semantic/rerank-fusion.ts";
import { rerankTuner } from "../../src/kb/semantic/rerank-folds.ts";
import { RerankError } from "../../src/kb/semantic/reranker.ts";
import { OpenAiCompatibleReranker } from "../../src/platform/reranker/openai-compatible.ts";
import { queryRerank, timedReranker } from "../../src/platform/reranker/providers.ts";
import { Breakers } from "../../src/resilience/breaker.ts";
import { FAQ_ARTICLES, writeFaqKb } from "../support/faq-kb.ts";
import { fakeRelevance, fakeReranker, startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.ts";

let fake: FakeEmbeddings;
let dir: string;

beforeAll(async () => {
  fake = await startFakeEmbeddings({ apiKey: "sk-fake" });
  dir = writeFaqKb("kb-rerank-");
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const reranker = (options: { baseUrl?: string; apiKey?: string } = {}) => new OpenAiCompatibleReranker({ baseUrl: options.baseUrl ?? fake.url, model: "fake-rerank", apiKey: options.apiKey ?? "sk-fake" });

describe("the /v1/rerank provider (fake server)", () => {
  it("posts the model, query and documents with the key to {base}/v1/rerank and places each score by its index", async () => {
    fake.script({ kind: "ok" });
    const passages = ["How do I track my order?\nSee the tracking page.", "How do I reset my password?\nUse the link."];
    const scores = await reranker().rerank("track my parcel", passages);
    expect(fake.requests).toEqual([{ model: "fake-rerank", query: "track my parcel", input: passages }]);
    expect(scores).toEqual(passages.map((p) => fakeRelevance("track my parcel", p)));
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(reranker().space).toBe("openai:fake-rerank");
  });

  it.each<[string, Parameters<FakeEmbeddings["script"]>[0] | "bad key" | "unreachable", RerankError["kind"]]>([
    ["an error status", { kind: "status", status: 500 }, "status"],
    ["a rate limit", { kind: "status", status: 429 }, "rate_limited"],
    ["a malformed body", { kind: "malformed" }, "malformed"],
    ["a wrong key", "bad key", "status"],
    ["no server", "unreachable", "unreachable"],
  ])("fails with a kind and no text on %s", async (_, behaviour, kind) => {
    fake.script(behaviour === "bad key" || behaviour === "unreachable" ? { kind: "ok" } : behaviour);
    const r = behaviour === "bad key" ? reranker({ apiKey: "wrong" }) : behaviour === "unreachable" ? reranker({ baseUrl: "http://127.0.0.1:9" }) : reranker();
    const err = await r.rerank("My card number is 4111 1111 1111 1111", ["a", "b"]).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RerankError);
    expect((err as RerankError).kind).toBe(kind);
    expect((err as Error).message).not.toContain("4111");
  });

  it("gives up on a server that never answers within the time limit, and the \"reranker\" breaker opens after BREAKER_FAILURES", async () => {
    fake.script({ kind: "hang" });
    await expect(timedReranker(reranker(), 100).rerank("hello", ["a"])).rejects.toMatchObject({ name: "RerankError", kind: "timeout" });

    const breakers = new Breakers({ failures: 3, coolDownMs: 60_000 });
    const rerank = queryRerank(reranker(), breakers);
    fake.script({ kind: "hang" });
    for (let i = 0; i < 4; i++) expect(await rerank(`where is my parcel ${i}`, ["a", "b"], 100)).toBeUndefined();
    expect(breakers.states()).toEqual({ reranker: "open" });
    // The fourth question never reached the server: the breaker was open.
    expect(fake.requests).toHaveLength(3);
    expect(await rerank("   ", ["a"], 100)).toBeUndefined();
    fake.script({ kind: "ok" });
  });
});

/** A tuning without its rerank part (what a KB without a reranker fits). */
const lexical = (t: Tuning | null | undefined) => (t ? { ...t, rerank: undefined } : t);

describe("the rerank signal (real engine on libSQL, fake reranker)", () => {
  let off: EvalReplica;
  let on: EvalReplica;
  beforeAll(async () => {
    fake.script({ kind: "ok" });
    off = await buildReplica({ path: dir, options: {} });
    on = await buildReplica({ path: dir, options: {} }, { reranker: reranker() });
  }, 60_000);
  afterAll(() => {
    off.close();
    on.close();
  });

  const QUESTIONS = ["where's my package", "I can't remember my password", "refund", "please cancel it", "who wrote hamlet", "How do I track my order?"];

  it("the off path is unchanged: without a reranker there is no rerank tuning or request, and the lexical retrieval and tuning are exactly the same", async () => {
    expect(off.tunings.en?.rerank).toBeUndefined();
    expect(lexical(on.tunings.en!)).toEqual(off.tunings.en);
    for (const q of QUESTIONS) {
      const plain = await off.kb.retrieve(q, { language: "en" });
      expect(JSON.stringify(plain)).not.toContain("rerank");
      const { rerank: _, ...r } = await on.kb.retrieve(q, { language: "en" });
      expect({ ...r, tuning: lexical(r.tuning) }).toEqual(plain);
    }
  });

  it("training scores held-out questions' best articles, caches them, and fits a tuning that weighs the rerank signal", async () => {
    const rerank = on.tunings.en!.rerank!;
    expect(rerank).toMatchObject({ space: "openai:fake-rerank", basis: { classes: 5 } });
    expect(rerank.weight).toEqual(expect.any(Number));
    expect(rerank.basis.questions).toBeGreaterThan(0);
    expect(rerank.calibration.correct.rerank).toEqual(expect.any(Number));
    expect(rerank.calibration.inScope.rerank).toEqual(expect.any(Number));
    expect(on.rerankScores).toBeGreaterThan(0);

    fake.script({ kind: "ok" });
    const r = await on.rerankKb!.retrieve("where's my package", { language: "en" });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.query).toBe("where's my package");
    expect(fake.requests[0]!.input).toHaveLength(RERANK_POOL);
    expect(r.modelTop?.rerank).toEqual(expect.any(Number));
    expect(r.tuning).toEqual(rerank);
    expect("rerank" in r).toBe(false);
  });

  it("a reranker that fails at training holds nothing up: the replica trains, lexically, as without one", async () => {
    const failing = fakeReranker({ fail: () => true });
    const r = await buildReplica({ path: dir, options: {} }, { reranker: failing });
    try {
      expect(r.articles).toBe(5);
      expect(failing.calls.length).toBeGreaterThan(0);
      expect(r.tunings.en).toEqual(off.tunings.en);
      expect(r.rerankScores).toBe(0);
      const { rerank: _, ...retrieval } = await r.kb.retrieve("where's my package", { language: "en" });
      expect(retrieval).toEqual(await off.kb.retrieve("where's my package", { language: "en" }));
    } finally {
      r.close();
    }
  }, 60_000);
});

describe("a reranker that comes back (FAKE, failing at first)", () => {
  it("thresholds fitted while it failed are fitted again with it by the catch-up, at most once per RERANK_RETRY_MS", async () => {
    let down = true;
    const flaky = fakeReranker({ fail: () => down });
    const r = await buildReplica({ path: dir, options: {} }, { reranker: flaky });
    try {
      expect(r.tunings.en?.rerank).toBeUndefined();
      expect(r.engine.rerankStatus()?.languages).toEqual({ en: "pending" });
      const t0 = Date.now();
      // Still failing: one attempt (the calls under way when the first fails), then nothing until RERANK_RETRY_MS has passed.
      let calls = flaky.calls.length;
      await r.engine.catchUpRerank(() => t0);
      expect(flaky.calls.length).toBeGreaterThan(calls);
      calls = flaky.calls.length;
      await r.engine.catchUpRerank(() => t0 + RERANK_RETRY_MS - 1);
      expect(flaky.calls.length).toBe(calls);
      expect(r.tunings.en?.rerank).toBeUndefined();

      down = false;
      await r.engine.catchUpRerank(() => t0 + RERANK_RETRY_MS);
      expect(flaky.calls.length).toBeGreaterThan(calls);
      expect(r.tunings.en?.rerank?.space).toBe("fake:ngram-overlap");
      expect(r.engine.rerankStatus()).toMatchObject({ space: "fake:ngram-overlap", languages: { en: "used" } });
      expect(r.engine.rerankStatus()!.cachedScores).toBeGreaterThan(0);
      // Nothing behind: no training and no calls, however late.
      calls = flaky.calls.length;
      await r.engine.catchUpRerank(() => t0 + 10 * RERANK_RETRY_MS);
      expect(flaky.calls.length).toBe(calls);
    } finally {
      r.close();
    }
  }, 60_000);
});

describe("a reranker that does not help (FAKE, on clinc150-small)", () => {
  it("its tuning is kept as unhelpful and never used: retrieval asks it nothing and answers as the lexical replica does", async () => {
    const dataset = loadDataset("clinc150-small");
    const counting = fakeReranker();
    const [r, plain] = [await buildReplica(dataset.train, { reranker: counting }), await buildReplica(dataset.train)];
    try {
      // Cross-validation: 74.5% of 330 held-out questions answered right lexically, 61.9% of 294 with it.
      const rerank = r.tunings.en!.rerank!;
      expect(rerank.unhelpful).toBe(true);
      expect(rerank.basis.expected.answeredRight * rerank.basis.questions).toBeLessThan(r.tunings.en!.basis.expected.answeredRight * r.tunings.en!.basis.questions - 3);
      const asked = counting.calls.length;
      for (const q of dataset.test.slice(0, 20)) {
        const found = await r.rerankKb!.retrieve(q.text, { language: "en" });
        expect({ ...found, tuning: lexical(found.tuning) }).toEqual(await plain.kb.retrieve(q.text, { language: "en" }));
      }
      expect(counting.calls.length).toBe(asked);
    } finally {
      r.close();
      plain.close();
    }
  }, 120_000);
});

describe("training-time scores in the replica's rerank_scores (real SQLite)", () => {
  const articles: TrainingArticle[] = Object.entries(FAQ_ARTICLES).map(([slug, front]) => ({
    id: `en:${slug}`,
    title: front.match(/title: (.*)/)![1]!,
    questions: front.match(/questions: \[(.*)\]/)![1]!.split(", "),
    answer: `See the help page for ${slug}.`,
  }));

  it("a retrain asks only for pairs it has not scored: none when nothing changed, an edited article's when its passage changed", async () => {
    const storage = sqliteStorage();
    applyMigrations(storage, replicaMigrations);
    for (const [doc, a] of articles.entries()) {
      storage.sql.exec("INSERT INTO articles (doc, id, slug, locale, title, answer, tags, questions, version, updated_at) VALUES (?, ?, ?, 'en', ?, ?, '[]', ?, 1, 0)", doc, a.id, a.id, a.title, a.answer, JSON.stringify(a.questions));
    }
    const cache = new ReplicaRerankCache(storage.sql);
    const counting = fakeReranker();
    const fit = async (list: TrainingArticle[]) => {
      const set = trainingSet(list);
      const tuner = rerankTuner({ reranker: counting, cache }, set.classes, list);
      const { points } = await crossValidate(set, { language: "en", rerank: tuner });
      return tuner.tune(points, { dataWeight: 0.5, maxWrong: 0.03 });
    };
    const first = await fit(articles);
    expect(first?.space).toBe("fake:ngram-overlap");
    const asked = counting.calls.reduce((a, b) => a + b, 0);
    expect(asked).toBe(cache.count("fake:ngram-overlap"));
    expect(counting.calls.every((n) => n <= RERANK_POOL * 4)).toBe(true);

    counting.calls.length = 0;
    expect(await fit(articles)).toEqual(first);
    expect(counting.calls).toEqual([]);

    const edited = articles.map((a) => (a.id === "en:cancel-order" ? { ...a, answer: "Orders can be cancelled within an hour." } : a));
    await fit(edited);
    // One passage per question that had the edited article among its best: as many calls as passages.
    expect(counting.calls.length).toBeGreaterThan(0);
    expect(counting.calls.every((n) => n === 1)).toBe(true);

    // A deleted article's scores go.
    storage.sql.exec("DELETE FROM articles WHERE id = 'en:cancel-order'");
    cache.prune();
    expect(storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM rerank_scores WHERE article_id = 'en:cancel-order'").one().n).toBe(0);
  }, 60_000);
});

// Semantic signals with the real replica store on libSQL, the real engine and the real
// OpenAI-compatible provider, against a FAKE embeddings server (hashed character n-grams,
// no model: test/support/fake-embeddings.ts). The providers' wire and failures, the
// breaker, vectors kept per article at sync, and the off path: retrieval without a vector
// is exactly what it is without embeddings.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReplica, type EvalReplica } from "../../scripts/eval/replica.ts";
import { sqliteStorage } from "../../scripts/eval/sqlite-storage.ts";
import { ReplicaVectors } from "../../durable-objects/knowledge-replica-vectors.ts";
import { replicaMigrations } from "../../migrations/replica/index.ts";
import { applyMigrations } from "../../src/storage/migrations.ts";
import { encodeVectors } from "../../src/kb/semantic/vectors.ts";
import { updateArticle } from "../../src/kb/articles.ts";
import { DEFAULT_LEARN_SETTINGS } from "../../src/kb/learning/learned.ts";
import { teachLearned } from "../../src/kb/learning/questions.ts";
import type { Tuning } from "../../src/kb/model/tuning.ts";
import { EmbeddingError } from "../../src/kb/semantic/embedder.ts";
import { embeddingsUrl, OpenAiCompatibleEmbedder } from "../../src/platform/embeddings/openai-compatible.ts";
import { queryEmbedding, timedEmbedder } from "../../src/platform/embeddings/providers.ts";
import { Breakers } from "../../src/resilience/breaker.ts";
import { writeFaqKb } from "../support/faq-kb.ts";
import { fakeEmbedder, fakeVector, startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.ts";

let fake: FakeEmbeddings;
let dir: string;

beforeAll(async () => {
  fake = await startFakeEmbeddings({ apiKey: "sk-fake" });
  dir = writeFaqKb("kb-semantic-");
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const embedder = () => new OpenAiCompatibleEmbedder({ baseUrl: fake.url, model: "fake-embed", apiKey: "sk-fake" });

describe("the OpenAI-compatible embeddings provider (fake server)", () => {
  it("posts the model and texts with the key to {base}/v1/embeddings and places each vector by its index", async () => {
    fake.script({ kind: "ok" });
    const vectors = await embedder().embed(["Where is my parcel?", "I forgot my password"]);
    expect(fake.requests).toEqual([{ model: "fake-embed", input: ["Where is my parcel?", "I forgot my password"] }]);
    expect([...vectors[0]!]).toEqual([...fakeVector("Where is my parcel?")].map(Math.fround));
    expect([...vectors[1]!]).toEqual([...fakeVector("I forgot my password")].map(Math.fround));
    expect(embedder().space).toBe("openai:fake-embed");
    expect([embeddingsUrl("https://api.example"), embeddingsUrl("https://api.example/v1/"), embeddingsUrl("http://gw.example/openai/v1")]).toEqual([
      "https://api.example/v1/embeddings",
      "https://api.example/v1/embeddings",
      "http://gw.example/openai/v1/embeddings",
    ]);
  });

  it.each<[string, Parameters<FakeEmbeddings["script"]>[0] | "bad key" | "unreachable", EmbeddingError["kind"]]>([
    ["an error status", { kind: "status", status: 500 }, "status"],
    ["a rate limit", { kind: "status", status: 429 }, "rate_limited"],
    ["a malformed body", { kind: "malformed" }, "malformed"],
    ["a wrong key", "bad key", "status"],
    ["no server", "unreachable", "unreachable"],
  ])("fails with a kind and no text on %s", async (_, behaviour, kind) => {
    fake.script(behaviour === "bad key" || behaviour === "unreachable" ? { kind: "ok" } : behaviour);
    const e = behaviour === "bad key" ? new OpenAiCompatibleEmbedder({ baseUrl: fake.url, model: "m", apiKey: "wrong" }) : behaviour === "unreachable" ? new OpenAiCompatibleEmbedder({ baseUrl: "http://127.0.0.1:9", model: "m" }) : embedder();
    const err = await e.embed(["My card number is 4111 1111 1111 1111"]).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect((err as EmbeddingError).kind).toBe(kind);
    expect((err as Error).message).not.toContain("4111");
  });

  it("gives up on a server that never answers: a timeout, and the query breaker opens after BREAKER_FAILURES", async () => {
    fake.script({ kind: "hang" });
    const err = await timedEmbedder(embedder(), 100).embed(["hello"]).catch((x: unknown) => x);
    expect(err).toMatchObject({ name: "EmbeddingError", kind: "timeout" });

    const breakers = new Breakers({ failures: 3, coolDownMs: 60_000 });
    const embed = queryEmbedding(embedder(), breakers, 100);
    fake.script({ kind: "hang" });
    for (let i = 0; i < 4; i++) expect(await embed(`where is my parcel ${i}`)).toBeUndefined();
    expect(breakers.states()).toEqual({ embeddings: "open" });
    // The fourth question never reached the server: the breaker was open.
    expect(fake.requests).toHaveLength(3);
    expect(await embed("   ")).toBeUndefined();
  });
});

/** A tuning without its semantic part (what a KB without embeddings fits). */
const lexical = (t: Tuning | null | undefined) => (t ? { ...t, semantic: undefined } : t);

describe("article vectors and the semantic signal (real engine on libSQL, fake embeddings)", () => {
  let off: EvalReplica;
  let on: EvalReplica;
  const fakeOne = fakeEmbedder();
  beforeAll(async () => {
    off = await buildReplica({ path: dir, options: {} });
    on = await buildReplica({ path: dir, options: {} }, { embedder: fakeOne });
  }, 60_000);
  afterAll(() => {
    off.close();
    on.close();
  });

  const QUESTIONS = ["where's my package", "I can't remember my password", "refund", "please cancel it", "who wrote hamlet", "How do I track my order?"];

  it("the off path is unchanged: without a vector, retrieval and the lexical tuning are exactly what they are without embeddings", async () => {
    expect(lexical(on.tunings.en!)).toEqual(off.tunings.en);
    expect(off.tunings.en?.semantic).toBeUndefined();
    for (const q of QUESTIONS) {
      const r = await on.kb.retrieve(q, { language: "en" });
      // The same candidates, signals and decision; the tuning carries its semantic part beside the lexical one, unused.
      expect({ ...r, tuning: lexical(r.tuning) }).toEqual(await off.kb.retrieve(q, { language: "en" }));
    }
  });

  it("vectors are computed at sync for every article's title and questions, and the tuning fitted with them weighs the semantic signal", async () => {
    expect(on.vectors).toBe(5);
    // The generic off-topic messages are embedded for cross-validation too.
    expect(fakeOne.calls.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5 * 4);
    const semantic = on.tunings.en!.semantic!;
    expect(semantic).toMatchObject({ space: "fake:ngrams", basis: { classes: 5 } });
    expect(semantic.basis.questions).toBeGreaterThan(0);
    expect(semantic.calibration.correct.semantic).toEqual(expect.any(Number));
    const r = await on.semanticKb!.retrieve("where's my package", { language: "en" });
    expect(r.modelTop?.semantic).toEqual(expect.any(Number));
    expect(r.tuning).toBe(semantic);
  });

  it("only a changed article is embedded again: an edit, or a learned question", async () => {
    fakeOne.calls.length = 0;
    await updateArticle(on.primary, "en:track-order", { questions: ["Where is my parcel?", "Has my order shipped yet?"] }, Date.now());
    await on.sync();
    expect(fakeOne.calls).toEqual([3]);
    fakeOne.calls.length = 0;
    await teachLearned(on.primary, { articleId: "en:refund-time", locale: "en", text: "money back when", operatorId: "op-1" }, DEFAULT_LEARN_SETTINGS, Date.now());
    await on.sync();
    expect(fakeOne.calls).toEqual([5]);
    expect(on.vectors).toBe(5);
  }, 60_000);

  it("an embedder that fails at sync holds nothing up: the replica trains, lexically, and questions go unscored", async () => {
    const failing = fakeEmbedder({ fail: () => true });
    const r = await buildReplica({ path: dir, options: {} }, { embedder: failing });
    try {
      expect(r.articles).toBe(5);
      expect(r.vectors).toBe(0);
      expect(failing.calls).toHaveLength(1);
      expect(r.tunings.en).toEqual(off.tunings.en);
      const withVector = await r.semanticKb!.retrieve("where's my package", { language: "en" }).catch(() => null);
      // The query itself cannot be embedded either here; retrieval with a vector of the right space still finds no article vectors.
      expect(withVector).toBeNull();
    } finally {
      r.close();
    }
  }, 60_000);
});

describe("the replica's article_vectors (real SQLite)", () => {
  it("an article's vectors are stale after an edit, a learned question or a new epoch of the primary (a restore may reuse versions), and current once saved", () => {
    const storage = sqliteStorage();
    applyMigrations(storage, replicaMigrations);
    const sql = storage.sql;
    const article = (doc: number, slug: string, version: number) =>
      sql.exec("INSERT OR REPLACE INTO articles (doc, id, slug, locale, title, answer, tags, questions, version, updated_at) VALUES (?, ?, ?, 'en', ?, 'A.', '[]', ?, ?, 0)", doc, `en:${slug}`, slug, `Title ${slug}`, JSON.stringify([`Q ${slug}`]), version);
    article(1, "a", 1);
    article(2, "b", 2);
    const vectors = new ReplicaVectors(sql);
    const saveAll = () => {
      for (const a of vectors.stale("en", "fake", 10)) vectors.save(a.id, a.stamp, "fake", encodeVectors(a.texts.map(fakeVector)));
    };
    const stale = () => vectors.stale("en", "fake", 10).map((a) => a.id);
    expect(vectors.stale("en", "fake", 10)).toEqual([
      { id: "en:a", stamp: "0:1/0/0", texts: ["Title a", "Q a"] },
      { id: "en:b", stamp: "0:2/0/0", texts: ["Title b", "Q b"] },
    ]);
    expect(vectors.load("en", "fake")).toBeNull();
    saveAll();
    expect(stale()).toEqual([]);
    expect([...vectors.load("en", "fake")!.keys()]).toEqual(["en:a", "en:b"]);
    // Another vector space (a new model) is stale everywhere.
    expect(vectors.stale("en", "other", 10)).toHaveLength(2);

    article(2, "b", 3);
    expect(stale()).toEqual(["en:b"]);
    saveAll();
    sql.exec("INSERT INTO learned (id, article_id, locale, text, version) VALUES ('l1', 'en:a', 'en', 'learned words', 4)");
    expect(vectors.stale("en", "fake", 10)).toEqual([{ id: "en:a", stamp: "0:1/1/4", texts: ["Title a", "Q a", "learned words"] }]);
    saveAll();
    sql.exec("UPDATE sync_state SET epoch = 7");
    expect(stale()).toEqual(["en:a", "en:b"]);
    saveAll();
    sql.exec("DELETE FROM articles WHERE id = 'en:b'");
    vectors.prune();
    expect(vectors.count("fake")).toBe(1);
  });
});

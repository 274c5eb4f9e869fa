// The replica's engine over a store: training what a sync marked pending.
import { describe, expect, it } from "vitest";
import { KbEngine, type EngineStore } from "../../src/kb/engine.ts";
import type { TrainingArticle } from "../../src/kb/model/training.ts";

const ARTICLES: TrainingArticle[] = [
  { id: "en:refund-time", title: "How long does a refund take?", questions: ["When will I get my money back?", "How many days for the refund?"], answer: "Refunds take 3 business days." },
  { id: "en:track-order", title: "How do I track my order?", questions: ["Where is my order?", "Has my parcel shipped yet?"], answer: "Open Orders to see tracking." },
  { id: "en:reset-password", title: "How do I reset my password?", questions: ["I forgot my password", "Change my password"], answer: "Use Forgot password." },
];

/** An in-memory store: what the engine reads and writes, without SQLite. */
function memoryStore(articles = ARTICLES): EngineStore & { pending: Set<string>; saved: Map<string, Uint8Array | null>; read: number } {
  const pending = new Set<string>();
  const saved = new Map<string, Uint8Array | null>();
  const store = {
    pending,
    saved,
    read: 0,
    version: () => 1,
    languages: () => ["en"],
    search: () => [],
    byId: (id) => {
      const a = ARTICLES.find((x) => x.id === id);
      return a ? { id: a.id, slug: a.id.slice(3), locale: "en", title: a.title, answer: a.answer, tags: [], questions: a.questions, version: 1, score: 0 } : null;
    },
    pendingModels: () => [...pending],
    articlesIn: () => articles.length,
    trainingArticles: () => {
      store.read += articles.length;
      return articles;
    },
    saveModel: (language: string, bytes: Uint8Array | null) => {
      saved.set(language, bytes);
      pending.delete(language);
    },
    loadModel: (language: string) => saved.get(language) ?? null,
  } satisfies EngineStore & { pending: Set<string>; saved: Map<string, Uint8Array | null>; read: number };
  return store;
}

describe("training pending languages", () => {
  it("a replica that had nothing to train when it started still trains after its first sync", async () => {
    const store = memoryStore();
    const engine = new KbEngine(store);
    await engine.trainPending();
    store.pending.add("en");
    await engine.trainPending();
    expect(store.pending.size).toBe(0);
    expect(store.saved.get("en")).toBeInstanceOf(Uint8Array);
    const found = engine.retrieve("Where is my order?", { language: "en" });
    expect(found.exact).toBe(true);
    expect(found.candidates[0]?.id).toBe("en:track-order");
    expect(found.modelTop).not.toBeNull();
    expect(found.tuning?.answerAt).toBeGreaterThan(0);
  });

  it("fits the thresholds to the error budget it is given, and fits them again when the budget changes", async () => {
    const store = memoryStore();
    store.pending.add("en");
    await new KbEngine(store, undefined, { maxWrong: 0.03 }).trainPending();
    // A restarted replica with another ANSWER_MAX_WRONG: the same KB, retrained after a sync.
    const engine = new KbEngine(store, undefined, { maxWrong: 0.1 });
    expect(engine.tuning("en")?.basis.maxWrong).toBe(0.03);
    store.pending.add("en");
    await engine.trainPending();
    expect(engine.tuning("en")?.basis.maxWrong).toBe(0.1);
    expect(engine.tuning("en")?.basis.allowedWrong).toBeGreaterThan(0);
  });

  it("shares one run between concurrent calls", async () => {
    const store = memoryStore();
    store.pending.add("en");
    const engine = new KbEngine(store);
    const [a, b] = [engine.trainPending(), engine.trainPending()];
    expect(a).toBe(b);
    await a;
    expect(store.saved.has("en")).toBe(true);
  });

  it("counts a language too large for a model and never reads its articles into memory", async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ ...ARTICLES[i % ARTICLES.length]!, id: `en:a-${i}` }));
    const store = memoryStore(many);
    store.pending.add("en");
    await new KbEngine(store).trainPending();
    expect(store.read).toBe(0);
    expect(store.pending.size).toBe(0);
    expect(store.saved.get("en")).toBeNull();
  });
});

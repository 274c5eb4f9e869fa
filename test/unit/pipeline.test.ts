// The answer pipeline with fake ports: what leaves the conversation is redacted, a turn
// answers within its deadline, and the degraded chain is tried in order.
import { describe, expect, it } from "vitest";
import { AnswerCache, type CachedAnswer } from "../../src/answer/answer-cache.ts";
import { INITIAL_DIALOGUE } from "../../src/answer/dialogue.ts";
import { AnswerPipeline, type PipelinePorts } from "../../src/answer/pipeline.ts";
import { DEFAULT_PLAN_CONFIG } from "../../src/answer/plan.ts";
import type { Message } from "../../src/conversation/types.ts";
import type { Candidate, Retrieval } from "../../src/kb/retrieval.ts";
import type { SearchHit } from "../../src/kb/search.ts";

const article = (id: string, title: string): SearchHit => ({ id, slug: id.split(":")[1]!, locale: "en", title, answer: `The answer about ${title}.`, tags: [], questions: [], version: 3, score: 0 });
const candidate = (hit: SearchHit, decision: number): Candidate => ({ ...hit, bm25: 12, decision });
/** A retrieval every calibration trusts: one class far ahead, full-text search agreeing. */
const confident = (hit: SearchHit): Retrieval => ({ language: "en", candidates: [candidate(hit, 4), candidate(article("en:other", "Other"), -4)], modelTop: { best: 4, second: -4, coverage: 1, similarity: 0.9, agree: 1 }, kbVersion: 3, lagSeconds: 1, stale: false });
const ORDER = article("en:track-order", "Where is my order?");
const message = (text: string): Message => ({ seq: 1, role: "customer", text, createdAt: "2026-12-01T00:00:00.000Z" });

interface Calls {
  retrieved: string[];
  /** The customer's words as sent for the exact-question match (`options.asked`). */
  asked: string[];
  remembered: string[];
  cached: Map<string, CachedAnswer>;
  tried: string[];
}

function ports(overrides: Partial<PipelinePorts> & { retrieve?: (q: string) => Promise<Retrieval> } = {}): { ports: PipelinePorts; calls: Calls } {
  const calls: Calls = { retrieved: [], asked: [], remembered: [], cached: new Map(), tried: [] };
  const fail = (name: string) => () => {
    calls.tried.push(name);
    return Promise.reject(new Error(`${name} down`));
  };
  const p: PipelinePorts = {
    kb: {
      retrieve: (q, options) => {
        calls.retrieved.push(q);
        if (options.asked !== undefined) calls.asked.push(options.asked);
        return overrides.retrieve ? overrides.retrieve(q) : Promise.resolve(confident(ORDER));
      },
    },
    degraded: { memory: fail("memory"), sibling: fail("sibling"), neighbour: fail("neighbour") },
    cache: new AnswerCache({ match: async (k) => calls.cached.get(k) ?? null, put: async (k, v) => void calls.cached.set(k, v), delete: async (k) => void calls.cached.delete(k) }, () => "test"),
    remember: (q) => void calls.remembered.push(q),
    generation: null,
    breakers: () => ({}),
    openSince: () => null,
    now: Date.now,
    ...overrides,
  };
  return { ports: p, calls };
}

const ask = (p: PipelinePorts, text: string, deadlineMs = 2_000) => new AnswerPipeline(p, { plan: DEFAULT_PLAN_CONFIG, deadlineMs }).answer({ message: message(text), locale: "en", state: INITIAL_DIALOGUE });

describe("answer pipeline (fake ports)", () => {
  it("answers from the KB and sends the replica, its memory and the cache only redacted text", async () => {
    const { ports: p, calls } = ports();
    const answer = await ask(p, "Where is my order? My email is ada@example.com and my phone +44 20 7946 0958");
    expect(answer.meta).toMatchObject({ mode: "normal", decision: "answer", citations: [{ articleId: "en:track-order" }] });
    expect(calls.retrieved.join(" ")).not.toMatch(/ada@example|7946/);
    expect(calls.asked).toHaveLength(1);
    expect(calls.asked.join(" ")).not.toMatch(/ada@example|7946/);
    expect(calls.remembered).toEqual(["Where is my order? My email is [email] and my phone [phone]"]);
    expect([...calls.cached.keys()].join(" ")).not.toMatch(/ada|example|7946/);
  });

  it("answers within the deadline when the replica hangs: degraded, reason deadline", async () => {
    const { ports: p } = ports({ retrieve: () => new Promise<Retrieval>(() => {}) });
    const started = Date.now();
    const answer = await ask(p, "Where is my order?", 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(answer.meta).toMatchObject({ mode: "degraded", degraded: { reason: "deadline" } });
  });

  it("tries the degraded chain in order when the replica fails: cache, memory, sibling shard, neighbour region, apology", async () => {
    const failing = { retrieve: () => Promise.reject(new Error("replica down")) };
    // Nothing anywhere: every source is tried, then an apology offers a person.
    const none = ports(failing);
    const apology = await ask(none.ports, "Where is my order?");
    expect(none.calls.tried).toEqual(["memory", "sibling", "neighbour"]);
    expect(apology.meta).toMatchObject({ mode: "degraded", answerer: "apology", decision: "offer_handoff", degraded: { reason: "replica_unavailable" } });

    // A sibling shard of the region answers before the neighbouring region is asked.
    const sibling = ports({ ...failing });
    sibling.ports.degraded.sibling = () => (sibling.calls.tried.push("sibling"), Promise.resolve(confident(ORDER)));
    const fromSibling = await ask(sibling.ports, "Where is my order?");
    expect(sibling.calls.tried).toEqual(["memory", "sibling"]);
    expect(fromSibling.meta).toMatchObject({ mode: "degraded", answerer: "sibling", citations: [{ articleId: "en:track-order" }] });

    // The replica's memory of answered questions comes before either.
    const memory = ports({ ...failing });
    memory.ports.degraded.memory = () => (memory.calls.tried.push("memory"), Promise.resolve(ORDER));
    expect((await ask(memory.ports, "Where is my order?")).meta).toMatchObject({ answerer: "memory" });
    expect(memory.calls.tried).toEqual(["memory"]);
  });

  it("does not answer from a sibling or neighbour a near-tie between two articles that a normal turn would ask about", async () => {
    const failing = { retrieve: () => Promise.reject(new Error("replica down")) };
    const tuning = { answerAt: 0.3, clarifyAt: 0.2, minMargin: 0.5 } as unknown as Retrieval["tuning"];
    // Confident by the calibration (far above answerAt), but the runner-up is 0.1 behind.
    const tie: Retrieval = { ...confident(ORDER), tuning, modelTop: { best: 4, second: 3.9, coverage: 1, similarity: 0.9, agree: 1 } };
    const clear: Retrieval = { ...confident(ORDER), tuning };
    const tied = ports({ ...failing });
    tied.ports.degraded.neighbour = () => (tied.calls.tried.push("neighbour"), Promise.resolve(tie));
    expect((await ask(tied.ports, "Where is my order?")).meta).toMatchObject({ mode: "degraded", answerer: "apology" });
    expect(tied.calls.tried).toEqual(["memory", "sibling", "neighbour"]);
    const ahead = ports({ ...failing });
    ahead.ports.degraded.neighbour = () => Promise.resolve(clear);
    expect((await ask(ahead.ports, "Where is my order?")).meta).toMatchObject({ mode: "degraded", answerer: "neighbour", citations: [{ articleId: "en:track-order" }] });
  });

  it("answers a repeated question from the cache when the replica then fails", async () => {
    const healthy = ports();
    await ask(healthy.ports, "Where is my order?");
    const { ports: p, calls } = ports({ retrieve: () => Promise.reject(new Error("replica down")) });
    for (const [k, v] of healthy.calls.cached) calls.cached.set(k, v);
    const answer = await ask(p, "where is my order");
    expect(answer.meta).toMatchObject({ mode: "degraded", answerer: "cache", citations: [{ articleId: "en:track-order" }] });
    expect(calls.tried).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { EventBatcher, type OpsBatch } from "../../src/ops/event-batch.ts";
import { hashId, opsIdKey } from "../../src/ops/event-ids.ts";
import { asHashedId } from "../../src/ops/events.ts";
import { turnFacts } from "../../src/ops/turn-facts.ts";
import { turn } from "../support/ops-events.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A batcher whose timer is released by hand and whose sends are recorded (or fail). */
function harness(options: { failFor?: string } = {}) {
  const sent: Array<[string, OpsBatch]> = [];
  const failures: unknown[] = [];
  let release: () => void = () => {};
  let timers = 0;
  const batcher = new EventBatcher(
    {
      send: async (d, b) => {
        if (d === options.failFor) throw new Error("unreachable");
        sent.push([d, b]);
      },
      sleep: () => {
        timers++;
        return new Promise<void>((r) => (release = r));
      },
      failed: (err) => failures.push(err),
    },
    { maxItems: 5, maxPending: 8 },
  );
  return { batcher, sent, failures, tick: () => release(), timers: () => timers };
}

describe("event batches per isolate", () => {
  it("sends one batch per region after the delay, however many events came, with one timer", async () => {
    const h = harness();
    const waits = [h.batcher.add("weur", { event: turn(T) }), h.batcher.add("weur", { event: turn(T + 1) }), h.batcher.add("apac", { event: turn(T, { region: "apac" }) })];
    h.batcher.add("weur", { breakers: { llm: "open" } });
    expect(h.sent).toEqual([]);
    expect(h.timers()).toBe(1);
    h.tick();
    await Promise.all(waits);
    expect(h.sent.map(([d, b]) => [d, b.events.length, b.breakers])).toEqual([
      ["weur", 2, { llm: "open" }],
      ["apac", 1, null],
    ]);
  });

  it("sends at once when enough items are waiting", async () => {
    const h = harness();
    for (let i = 0; i < 4; i++) void h.batcher.add("weur", { event: turn(T + i) });
    await h.batcher.add("weur", { gap: { language: "en", text: "where is the moon", reason: "no_answer", at: T } });
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]![1]).toMatchObject({ gaps: [{ text: "where is the moon" }] });
    expect(h.sent[0]![1].events).toHaveLength(4);
  });

  it("never rejects: a region that cannot be reached loses its batch, the others are sent", async () => {
    const h = harness({ failFor: "weur" });
    const a = h.batcher.add("weur", { event: turn(T) });
    const b = h.batcher.add("apac", { event: turn(T, { region: "apac" }) });
    h.tick();
    await expect(Promise.all([a, b])).resolves.toBeDefined();
    expect(h.sent.map(([d]) => d)).toEqual(["apac"]);
    expect(h.failures).toHaveLength(1);
    expect(h.batcher.size).toBe(0);
  });

  it("holds a bounded number of items while nothing is sent, counting what it drops", () => {
    const h = harness();
    const big = new EventBatcher({ send: () => new Promise(() => {}), sleep: () => new Promise(() => {}), failed: () => {} }, { maxItems: 1_000, maxPending: 8 });
    for (let i = 0; i < 20; i++) void big.add("weur", { event: turn(T + i) });
    expect(big.size).toBe(8);
    expect(big.dropped).toBe(12);
    expect(h.sent).toEqual([]);
  });
});

describe("hashed ids", () => {
  it("are lower-case hex the events accept, stable per secret, and differ by kind and by secret", async () => {
    const key = await opsIdKey("secret-0123456789abcdef");
    const a = await hashId(key, "conversation", "abc");
    expect(asHashedId(a)).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(await hashId(await opsIdKey("secret-0123456789abcdef"), "conversation", "abc")).toBe(a);
    expect(await hashId(key, "customer", "abc")).not.toBe(a);
    expect(await hashId(await opsIdKey("another-secret-0123456789"), "conversation", "abc")).not.toBe(a);
    expect(a).not.toContain("abc");
  });
});

describe("what a reply's metadata tells ops", () => {
  it.each([
    [
      "a KB answer",
      { mode: "normal", answerer: "kb", locale: "zh-CN", decision: "answer", confidence: 0.83, kb: { version: 9, lagSeconds: 4, stale: false }, citations: [{ articleId: "zh-CN:track-order", title: "t", kbVersion: 9 }] },
      { decision: "answer", mode: "normal", language: "zh", articleId: "zh-CN:track-order", confidenceBucket: "0.75-0.90", kbVersion: 9, replicaLagSeconds: 4, degradedReason: null },
    ],
    [
      "a degraded answer from the neighbour",
      { mode: "degraded", answerer: "neighbour", locale: "en", decision: "answer", degraded: { reason: "replica_unavailable", since: "x", kbVersion: 7, staleSeconds: null }, citations: [{ articleId: "en:refund-time", title: "t", kbVersion: 7 }] },
      { decision: "answer", mode: "degraded", degradedReason: "replica_unavailable", kbVersion: 7, confidenceBucket: "none" },
    ],
    [
      "an apology after the answerer failed",
      { mode: "degraded", answerer: "apology", locale: "en", degraded: { reason: "answerer_failed", since: "x", kbVersion: null, staleSeconds: null } },
      { decision: "error", mode: "degraded", degradedReason: null, articleId: null, kbVersion: null },
    ],
    ["an offer of a person after failed answers", { mode: "normal", answerer: "policy", locale: "en", decision: "offer_handoff", handoff: { reason: "requested" } }, { decision: "offer_handoff", handoffReason: "customer_request" }],
  ])("reads %s", (_name, meta, facts) => {
    expect(turnFacts(meta as never, "en")).toMatchObject(facts);
  });
});

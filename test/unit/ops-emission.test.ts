import { describe, expect, it } from "vitest";
import { EventBatcher, type OpsBatch } from "../../src/ops/event-batch.ts";
import { hashId, opsIdKey } from "../../src/ops/event-ids.ts";
import { asHashedId } from "../../src/ops/events.ts";
import { turnFacts } from "../../src/ops/turn-facts.ts";
import { turn } from "../support/ops-events.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);

describe("event batches per isolate", () => {
  const gap = { language: "en", text: "where is the moon", reason: "no_answer" as const, at: T };

  it("asks the first caller to schedule a send and the others to watch it, then gives one batch per region", () => {
    const b = new EventBatcher({ maxItems: 10 });
    const watch = { action: "watch", afterMs: 2_000 };
    expect(b.add("weur", { event: turn(T) }, T)).toEqual({ action: "schedule", delayMs: 250 });
    expect(b.add("weur", { event: turn(T + 1) }, T + 1)).toEqual(watch);
    expect(b.add("apac", { event: turn(T, { region: "apac" }) }, T + 2)).toEqual(watch);
    expect(b.add("weur", { breakers: { llm: "open" } }, T + 3)).toEqual(watch);
    const batches = b.take();
    expect(batches.map(([d, batch]) => [d, batch.events.length, batch.breakers])).toEqual([
      ["weur", 2, { llm: "open" }],
      ["apac", 1, null],
    ]);
    expect(b.size).toBe(0);
    // Taken: the next part schedules again.
    expect(b.add("weur", { gap }, T + 300)).toEqual({ action: "schedule", delayMs: 250 });
  });

  it("asks for a send at once when enough items are waiting", () => {
    const b = new EventBatcher({ maxItems: 5 });
    for (let i = 0; i < 4; i++) b.add("weur", { event: turn(T + i) }, T + i);
    expect(b.add("weur", { gap }, T + 5)).toEqual({ action: "send" });
    const [[, batch]] = b.take() as [[string, OpsBatch]];
    expect(batch.events).toHaveLength(4);
    expect(batch.gaps).toEqual([gap]);
  });

  it("schedules anew when a scheduled send was never taken (its request ended early)", () => {
    const b = new EventBatcher({ staleMs: 2_000 });
    b.add("weur", { event: turn(T) }, T);
    expect(b.add("weur", { event: turn(T) }, T + 1_999)).toEqual({ action: "watch", afterMs: 2_000 });
    expect(b.add("weur", { event: turn(T) }, T + 2_000)).toEqual({ action: "schedule", delayMs: 250 });
  });

  it("has a watcher send what waits when the scheduled send never came (its context ended), and nothing when it did", () => {
    const b = new EventBatcher({ staleMs: 2_000 });
    b.add("weur", { event: turn(T) }, T);
    b.add("weur", { event: turn(T + 1) }, T + 1);
    // No more parts come: the watcher's own check, staleMs after it added, finds the send overdue.
    expect(b.takeIfStale(T + 1_000)).toEqual([]);
    expect(b.takeIfStale(T + 2_001).map(([d, batch]) => [d, batch.events.length])).toEqual([["weur", 2]]);
    expect(b.size).toBe(0);

    b.add("weur", { event: turn(T + 3_000) }, T + 3_000);
    b.add("weur", { event: turn(T + 3_001) }, T + 3_001);
    expect(b.take()).toHaveLength(1);
    expect(b.takeIfStale(T + 5_001)).toEqual([]);
  });

  it("holds a bounded number of items while nothing is sent, counting what it drops", () => {
    const b = new EventBatcher({ maxItems: 1_000, maxPending: 8 });
    for (let i = 0; i < 20; i++) b.add("weur", { event: turn(T + i) }, T);
    expect(b.size).toBe(8);
    expect(b.dropped).toBe(12);
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

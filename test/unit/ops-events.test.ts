import { describe, expect, it } from "vitest";
import { ANALYTICS_BLOBS, ANALYTICS_DOUBLES, toAnalyticsPoint } from "../../src/ops/analytics.ts";
import { asHashedId, confidenceBucket, handoffReasonOf, latencyBucket, resolutionOf, type OpsEvent } from "../../src/ops/events.ts";
import { agentReply, degradedChange, degradedTurn, ended, feedback, handoff, rating, turn } from "../support/ops-events.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A data point's columns by their documented names. */
function columns(event: OpsEvent) {
  const point = toAnalyticsPoint(event);
  const blobs = Object.fromEntries(ANALYTICS_BLOBS.map((name, i) => [name, point.blobs[i]]));
  const doubles = Object.fromEntries(ANALYTICS_DOUBLES.map((name, i) => [name, point.doubles[i]]));
  return { point, blobs, doubles };
}

describe("confidence and latency buckets", () => {
  it.each([
    [null, "none"],
    [undefined, "none"],
    [Number.NaN, "none"],
    [0, "0.00-0.20"],
    [0.2, "0.20-0.40"],
    [0.59, "0.40-0.60"],
    [0.6, "0.60-0.75"],
    [0.75, "0.75-0.90"],
    [0.95, "0.90-1.00"],
    [1, "0.90-1.00"],
  ])("puts confidence %s in %s, cut at the policy's thresholds", (c, bucket) => {
    expect(confidenceBucket(c)).toBe(bucket);
  });

  it.each([
    [0, "0.005"],
    [5, "0.005"],
    [6, "0.01"],
    [250, "0.25"],
    [251, "0.5"],
    [10_000, "10"],
    [10_001, "+Inf"],
  ])("files a latency of %d ms under le=%s, as /metrics does", (ms, le) => {
    expect(latencyBucket(ms)).toBe(le);
  });
});

describe("event helpers", () => {
  it("accepts only hex hashes as hashed ids, so a raw id cannot slip into an event", () => {
    expect(asHashedId("0123456789abcdef")).toBe("0123456789abcdef");
    expect(asHashedId("conv_42")).toBeNull();
    expect(asHashedId("alice@example.com")).toBeNull();
    expect(asHashedId("ABCDEF0123456789")).toBeNull();
  });

  it("names the reply's handoff reasons as ops does", () => {
    expect(handoffReasonOf("requested")).toBe("customer_request");
    expect(handoffReasonOf("negative_sentiment")).toBe("negative_sentiment");
  });

  it.each([
    [{ botAnswered: true, handedOff: false, agentReplied: false, confirmedHelpful: true, askedForMoreWithinWindow: false }, "ai_confirmed"],
    [{ botAnswered: true, handedOff: false, agentReplied: false, confirmedHelpful: false, askedForMoreWithinWindow: false }, "ai_assumed"],
    [{ botAnswered: true, handedOff: false, agentReplied: false, confirmedHelpful: false, askedForMoreWithinWindow: true }, "unresolved"],
    [{ botAnswered: true, handedOff: true, agentReplied: false, confirmedHelpful: true, askedForMoreWithinWindow: false }, "unresolved"],
    [{ botAnswered: false, handedOff: true, agentReplied: true, confirmedHelpful: false, askedForMoreWithinWindow: true }, "agent"],
    [{ botAnswered: false, handedOff: false, agentReplied: false, confirmedHelpful: false, askedForMoreWithinWindow: false }, "unresolved"],
  ])("resolves %j as %s", (flags, resolution) => {
    expect(resolutionOf(flags)).toBe(resolution);
  });
});

describe("Analytics Engine data points", () => {
  it("indexes every point by region and keeps one column layout for every event type", () => {
    const events: OpsEvent[] = [turn(T), handoff(T), agentReply(T, 1000), rating(T, 4), feedback(T, true), degradedChange(T, true), ended(T)];
    for (const e of events) {
      const { point } = columns(e);
      expect(point.indexes).toEqual(["weur"]);
      expect(point.blobs).toHaveLength(ANALYTICS_BLOBS.length);
      expect(point.doubles).toHaveLength(ANALYTICS_DOUBLES.length);
      expect(point.blobs.length).toBeLessThanOrEqual(20);
      expect(point.doubles.length).toBeLessThanOrEqual(20);
      expect(point.blobs[0]).toBe(e.type);
    }
  });

  it("writes a degraded turn's mode, reason, decision, buckets, latency, KB version and lag", () => {
    const { blobs, doubles } = columns(degradedTurn(T, { latencyMs: 300, confidence: "0.60-0.75", kbVersion: 12, replicaLagSeconds: 40, decision: "clarify" }));
    expect(blobs).toMatchObject({ region: "weur", colo: "AMS", jurisdiction: "eu", mode: "degraded", language: "en", degraded_reason: "llm_unavailable", decision: "clarify", article_id: "en:refunds", confidence_bucket: "0.60-0.75", latency_bucket: "0.5" });
    expect(doubles).toMatchObject({ latency_ms: 300, kb_version: 12, replica_lag_seconds: 40, rating: -1 });
  });

  it("writes -1 and empty strings for what an event does not have", () => {
    const { blobs, doubles } = columns(turn(T, { kbVersion: null, replicaLagSeconds: null, articleId: null, jurisdiction: null }));
    expect(blobs).toMatchObject({ article_id: "", jurisdiction: "", handoff_reason: "" });
    expect(doubles).toMatchObject({ kb_version: -1, replica_lag_seconds: -1, agent_first_response_ms: -1 });
  });

  it("writes each event type's own columns", () => {
    expect(columns(handoff(T, { reason: "negative_sentiment" })).blobs.handoff_reason).toBe("negative_sentiment");
    expect(columns(agentReply(T, 95_000)).doubles.agent_first_response_ms).toBe(95_000);
    expect(columns(rating(T, 2)).doubles.rating).toBe(2);
    expect(columns(rating(T, 2)).doubles.replaced_rating).toBe(-1);
    expect(columns(rating(T, 5, { replaces: { score: 2, at: T - 1000, mode: "normal", language: "en", kbVersion: 7 } })).doubles).toMatchObject({ rating: 5, replaced_rating: 2 });
    expect(columns(feedback(T, false)).blobs.helpful).toBe("no");
    expect(columns(degradedChange(T, false)).blobs).toMatchObject({ degraded_state: "off", conversation: "", degraded_reason: "" });
    const end = columns(ended(T, { confirmedHelpful: true, turns: 3 }));
    expect(end.blobs.resolution).toBe("ai_confirmed");
    expect(end.doubles).toMatchObject({ turns: 3, bot_answered: 1, handed_off: 0, confirmed_helpful: 1, asked_for_more: 0 });
  });

  it("writes the emitting Worker version in blob18, after the columns earlier releases wrote", () => {
    const version = "0f3a2c1e-6666-4a4a-8b8b-000000000001";
    const at = ANALYTICS_BLOBS.indexOf("version");
    expect(at).toBe(17);
    expect(ANALYTICS_BLOBS.slice(0, 17)).toEqual(["type", "region", "colo", "jurisdiction", "conversation", "mode", "language", "degraded_reason", "decision", "article_id", "confidence_bucket", "latency_bucket", "handoff_reason", "resolution", "helpful", "degraded_state", "operator"]);
    for (const e of [turn(T, { version }), handoff(T, { version }), degradedChange(T, true, { version })]) expect(columns(e).point.blobs[at]).toBe(version);
    expect(columns(turn(T)).blobs.version).toBe("");
    expect(columns(turn(T, { version: "a customer's words" })).blobs.version).toBe("");
  });

  it("carries the hashed conversation id and nothing a customer wrote", () => {
    const { point } = columns(turn(T));
    expect(point.blobs[ANALYTICS_BLOBS.indexOf("conversation")]).toMatch(/^[0-9a-f]{16}$/);
    for (const blob of point.blobs) expect(blob.length).toBeLessThanOrEqual(64);
  });
});

import { describe, expect, it } from "vitest";
import type { ConversationEndEvent } from "../../src/ops/events.ts";
import { summarize } from "../../src/ops/kpi.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { agentReply, degradedTurn, ended, feedback, handoff, hashed, rating, turn } from "../support/ops-events.ts";

const MIN = 60_000;
const T = Date.UTC(2026, 0, 5, 12, 0, 30);

type Flags = Partial<ConversationEndEvent>;
const confirmed: Flags = { confirmedHelpful: true };
const assumed: Flags = {};
const agent: Flags = { botAnswered: false, handedOff: true, agentReplied: true };
const askedForMore: Flags = { askedForMoreWithinWindow: true };
const waitingForAgent: Flags = { handedOff: true };

/** A region's hour: ten conversations, ratings, feedback, handoffs and turns. */
function hour() {
  const r = new Rollup({ region: "weur" });
  const outcomes: Flags[] = [confirmed, confirmed, confirmed, assumed, assumed, assumed, assumed, agent, askedForMore, waitingForAgent];
  outcomes.forEach((o, i) => r.record(ended(T + i * 1_000, { conversation: hashed(100 + i), customer: hashed(500 + i), ...o }), T + 10 * MIN));
  // Customer 503 (an assumed resolution) is back an hour later, and this time wants more.
  r.record(ended(T + 70 * MIN, { customer: hashed(503), startedAt: T + 60 * MIN, ...askedForMore }), T + 70 * MIN);
  for (const score of [5, 5, 4, 2] as const) r.record(rating(T, score), T);
  for (const helpful of [true, true, true, false]) r.record(feedback(T, helpful), T);
  r.record(handoff(T, { reason: "customer_request" }), T);
  r.record(handoff(T, { reason: "customer_request", conversation: hashed(2) }), T);
  r.record(handoff(T, { reason: "negative_sentiment", conversation: hashed(3) }), T);
  r.record(agentReply(T, 20_000), T);
  r.record(agentReply(T, 40_000, { conversation: hashed(2) }), T);
  r.record(agentReply(T, 50_000, { conversation: hashed(3) }), T);
  r.record(agentReply(T, 100_000, { conversation: hashed(3) }), T);
  for (let i = 0; i < 6; i++) r.record(turn(T, { latencyMs: 200 }), T);
  r.record(turn(T, { language: "zh", latencyMs: 200, decision: "error" }), T);
  for (let i = 0; i < 3; i++) r.record(degradedTurn(T, { degradedReason: i ? "replica_unavailable" : "deadline", latencyMs: 4_000 }), T);
  return r;
}

describe("the KPI summary", () => {
  const now = T + 75 * MIN;
  const s = summarize(hour().query("24h", now), "24h");

  it("reports AI resolution with confirmed and assumed resolutions apart", () => {
    expect(s.overall.conversations).toBe(11);
    expect(s.overall.aiResolution).toEqual({ rate: 7 / 11, confirmed: 3, assumed: 4, confirmedRate: 3 / 11, assumedRate: 4 / 11 });
  });

  it("reports containment as one minus the share of conversations handed off", () => {
    expect(s.overall.containment).toBeCloseTo(1 - 2 / 11);
  });

  it("counts a resolved conversation followed by a recontact against first-contact resolution", () => {
    // 8 resolved (3 confirmed, 4 assumed, 1 agent), less the one customer who came back.
    expect(s.overall.firstContactResolution).toBeCloseTo(7 / 11);
  });

  it("reports CSAT as a mean, a distribution and the share satisfied", () => {
    expect(s.overall.csat).toEqual({ mean: 4, count: 4, distribution: { "1": 0, "2": 1, "3": 0, "4": 1, "5": 2 }, satisfiedShare: 0.75 });
    expect(s.overall.helpful).toEqual({ ratio: 0.75, helpful: 3, notHelpful: 1 });
  });

  it("reports handoff reasons, agent first-response percentiles and SLA breaches", () => {
    expect(s.overall.handoffs.total).toBe(3);
    expect(s.overall.handoffs.reasons).toMatchObject({ customer_request: 2, negative_sentiment: 1, no_answer: 0 });
    expect(s.overall.agentFirstResponseSeconds.count).toBe(4);
    expect(s.overall.agentFirstResponseSeconds.p50).toBeCloseTo(45);
    expect(s.overall.agentFirstResponseSeconds.p90!).toBeGreaterThan(60);
    expect(s.overall.agentFirstResponseSeconds.p90!).toBeLessThanOrEqual(120);
    expect(s.overall.slaBreaches).toBe(0);
  });

  it("reports the degraded share and reasons, the error rate and turn latency", () => {
    expect(s.overall.turns).toBe(10);
    expect(s.overall.degraded).toMatchObject({ share: 0.3, turns: 3, reasons: { deadline: 1, replica_unavailable: 2, llm_unavailable: 0 } });
    expect(s.overall.errorRate).toBeCloseTo(0.1);
    expect(s.overall.decisions).toEqual({ answer: 9, clarify: 0, offer_handoff: 0, out_of_scope: 0, smalltalk: 0, error: 1 });
    expect(s.overall.turnLatencySeconds.p50!).toBeGreaterThan(0.1);
    expect(s.overall.turnLatencySeconds.p50!).toBeLessThanOrEqual(0.25);
    expect(s.overall.turnLatencySeconds.p99!).toBeGreaterThan(2.5);
  });

  it("slices by language, KB version and mode", () => {
    expect(Object.keys(s.byLanguage).sort()).toEqual(["en", "zh"]);
    expect(s.byLanguage.zh!.errorRate).toBe(1);
    expect(s.byMode.degraded!.degraded.share).toBe(1);
    expect(s.byMode.normal!.degraded.share).toBe(0);
    expect(Object.keys(s.byKbVersion)).toEqual(["7"]);
  });

  it("gives null rates, not zeros or NaN, where nothing happened", () => {
    const empty = summarize(new Rollup({ region: "weur" }).query("1h", now), "1h").overall;
    expect(empty.aiResolution.rate).toBeNull();
    expect(empty.containment).toBeNull();
    expect(empty.csat.mean).toBeNull();
    expect(empty.turnLatencySeconds.p99).toBeNull();
    expect(JSON.stringify(empty)).not.toContain("NaN");
  });

  it("summarizes several regions as one", () => {
    const other = new Rollup({ region: "apac" });
    other.record(ended(T, { region: "apac", ...confirmed }), T);
    const both = summarize([hour().query("24h", now), other.query("24h", now)], "24h");
    expect(both.region).toBe("weur,apac");
    expect(both.overall.conversations).toBe(12);
    expect(both.overall.aiResolution.confirmed).toBe(4);
  });

  it("counts a conversation in the window it ended in", () => {
    const lastHour = summarize(hour().query("1h", now), "1h");
    expect(lastHour.overall.conversations).toBe(1);
  });
});

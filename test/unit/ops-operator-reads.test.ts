// The unusual-reads rule: an operator's distinct transcript reads in the last hour against
// their median day over the last week (days with reads only), never below 30; one alert per
// operator; fed by transcript_read events through the rollup (fake clock).
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, parseAlertRules, type AlertRule } from "../../src/ops/alert-rules.ts";
import { evaluate, type Alert, type Notice } from "../../src/ops/alerts.ts";
import { isValidEvent } from "../../src/ops/events.ts";
import { OperatorReads } from "../../src/ops/operator-reads.ts";
import { Rollup } from "../../src/ops/rollup.ts";
import { hashed, transcriptRead } from "../support/ops-events.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Monday 2026-01-05 09:00 UTC: day 0 of the fake clock. */
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const rule = DEFAULT_RULES.find((r) => r.id === "transcript_reads")!;

/** `n` distinct conversations read by `operator`, one a minute from `start`; ids from `first`. */
function reads(r: Rollup, operator: string, start: number, n: number, first = 0): void {
  for (let i = 0; i < n; i++) r.record(transcriptRead(start + (i % 60) * MIN + Math.floor(i / 60) * 1_000, operator, [first + i]), start + (i % 60) * MIN);
}

/** A working week: `perDay` reads a day on days 1–5 before day 7 (spread over 8 hours). */
function usualWeek(r: Rollup, operator: string, perDay: number): void {
  for (let d = 1; d <= 5; d++) for (let h = 0; h < 8; h++) reads(r, operator, T0 + d * DAY + h * HOUR, perDay / 8, d * 10_000 + h * 100);
}

function evaluateAt(r: Rollup, now: number, open: Alert[] = [], rules: readonly AlertRule[] = [rule]) {
  return evaluate(rules, r, open, now);
}

describe("the unusual-reads rule (transcript_reads)", () => {
  it("fires for the operator who reads more in an hour than on a usual day, not for a colleague at their usual pace", () => {
    const r = new Rollup({ region: "weur" });
    usualWeek(r, "op_ana", 40);
    usualWeek(r, "op_bo", 40);
    const day7 = T0 + 7 * DAY;
    reads(r, "op_ana", day7, 45, 900_000);
    reads(r, "op_bo", day7, 6, 800_000);
    const { open, notices } = evaluateAt(r, day7 + HOUR - 1);
    expect(notices.map((n) => [n.kind, n.alert.subject, n.alert.level])).toEqual([["fired", "op_ana", "warning"]]);
    expect(open[0]).toMatchObject({ ruleId: "transcript_reads", kind: "reads", metric: "transcript_reads", subject: "op_ana", value: 45, threshold: 40, runbook: "docs/runbooks/transcript-reads.md" });
    expect(open[0]!.id).toBe(`transcript_reads:weur:op_ana:${day7 + HOUR - 1}`);
  });

  it("escalates at three times the usual day and resolves half an hour after the reading stops", () => {
    const r = new Rollup({ region: "weur" });
    usualWeek(r, "op_ana", 40);
    const day7 = T0 + 7 * DAY;
    reads(r, "op_ana", day7, 130, 900_000);
    const first = evaluateAt(r, day7 + HOUR - 1);
    expect(first.notices.map((n) => `${n.kind}:${n.alert.level}`)).toEqual(["fired:critical"]);
    const notices: Notice[] = [];
    let open = first.open;
    for (let m = 1; m <= 120; m++) {
      const e = evaluateAt(r, day7 + HOUR - 1 + m * MIN, open);
      open = e.open;
      notices.push(...e.notices);
    }
    // The hour's reads fall below 40 an hour after they stopped; resolved 30 minutes later.
    expect(notices.map((n) => n.kind)).toEqual(["resolved"]);
    expect(notices[0]!.at - (day7 + HOUR)).toBeGreaterThanOrEqual(30 * MIN);
    expect(open).toEqual([]);
  });

  it("holds a new operator with no history to the floor of 30 reads an hour", () => {
    const r = new Rollup({ region: "weur" });
    reads(r, "op_new", T0, 29);
    expect(evaluateAt(r, T0 + HOUR - 1).notices).toEqual([]);
    reads(r, "op_new", T0 + 30 * MIN, 2, 500);
    expect(evaluateAt(r, T0 + HOUR - 1).notices.map((n) => n.alert.subject)).toEqual(["op_new"]);
  });

  it("counts a conversation read again within the hour once", () => {
    const r = new Rollup({ region: "weur" });
    for (let i = 0; i < 100; i++) r.record(transcriptRead(T0 + i * 10_000, "op_ana", [i % 10]), T0 + i * 10_000);
    expect(r.operatorReads(HOUR, 7, T0 + 20 * MIN)).toEqual([{ operator: "op_ana", recent: 10, medianDay: 0, activeDays: 0 }]);
  });

  it("takes the median over the days with reads, so days off do not lower the bar", () => {
    const reads7 = new OperatorReads();
    // Three working days of 10, 50 and 60 reads in the week before; the median day is 50.
    for (const [d, n] of [[1, 10], [3, 50], [4, 60]] as const) reads7.add("op_ana", Array.from({ length: n }, (_, i) => hashed(d * 1000 + i)), T0 + d * DAY);
    expect(reads7.stats(T0 + 7 * DAY, HOUR, 7)).toEqual([{ operator: "op_ana", recent: 0, medianDay: 50, activeDays: 3 }]);
  });

  it("survives a save and restore of the rollup", () => {
    const r = new Rollup({ region: "weur" });
    usualWeek(r, "op_ana", 40);
    reads(r, "op_ana", T0 + 7 * DAY, 45, 900_000);
    const restored = Rollup.fromSnapshot(JSON.parse(JSON.stringify(r.toSnapshot(T0 + 7 * DAY + HOUR - 1))));
    expect(restored.operatorReads(HOUR, 7, T0 + 7 * DAY + HOUR - 1)).toEqual(r.operatorReads(HOUR, 7, T0 + 7 * DAY + HOUR - 1));
  });

  it("can be tuned or switched off through ALERT_RULES, but not turned into another metric", () => {
    const { rules, errors } = parseAlertRules(JSON.stringify({ transcript_reads: { minSamples: 100, warning: 2, historyDays: 3 } }));
    expect(errors).toEqual([]);
    expect(rules.find((x) => x.id === "transcript_reads")).toMatchObject({ minSamples: 100, warning: 2, historyDays: 3, critical: 3 });
    expect(parseAlertRules(JSON.stringify({ transcript_reads: { metric: "turns" } })).errors).toEqual([{ rule: "transcript_reads", issue: "metric cannot change" }]);
    expect(parseAlertRules(JSON.stringify({ transcript_reads: { historyDays: 30 } })).errors.map((e) => e.rule)).toEqual(["transcript_reads"]);
  });
});

describe("transcript_read events", () => {
  it.each([
    ["no conversations", { conversations: [] }],
    ["an unhashed conversation id", { conversations: ["conv-42"] }],
    ["an operator id with spaces", { operator: "op ana" }],
    ["more than 100 conversations", { conversations: Array.from({ length: 101 }, (_, i) => hashed(i)) }],
  ])("are refused with %s", (_name, over) => {
    expect(isValidEvent({ ...transcriptRead(T0, "op_ana", [1]), ...over } as never)).toBe(false);
  });

  it("are accepted as built, and counted nowhere but in the operator's reads", () => {
    const r = new Rollup({ region: "weur" });
    expect(r.record(transcriptRead(T0, "op_ana", [1, 2]), T0)).toBe(true);
    expect(r.query({ minutes: 60 }, T0).tallies).toEqual({});
    expect(r.operatorReads(HOUR, 7, T0)).toEqual([{ operator: "op_ana", recent: 2, medianDay: 0, activeDays: 0 }]);
  });
});

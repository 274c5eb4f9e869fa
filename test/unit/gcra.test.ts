import { describe, expect, it } from "vitest";
import { gcra, parsePolicy, type RatePolicy } from "../../src/edge/gcra.ts";

const policy: RatePolicy = { limit: 5, periodMs: 10_000 };

/** Runs requests at the given times against one key, with a fake clock. */
function run(times: number[]) {
  let tat: number | undefined;
  return times.map((now) => {
    const d = gcra(tat, policy, now);
    if (d.allowed) tat = d.tat;
    return d;
  });
}

describe("GCRA with a fake clock", () => {
  it("allows exactly the limit at once, and rejects the next", () => {
    const decisions = run([0, 0, 0, 0, 0, 0]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
  });

  it("tells a rejected caller exactly when to come back, and means it", () => {
    const decisions = run([0, 0, 0, 0, 0, 0, 1_999, 2_000, 2_000]);
    expect(decisions[5]!.retryAfterMs).toBe(2_000);
    expect(decisions.slice(6).map((d) => d.allowed)).toEqual([false, true, false]);
  });

  it("refills one request per interval, and the whole burst after a full period", () => {
    const burst = [0, 0, 0, 0, 0];
    expect(run([...burst, 4_000, 4_000, 4_000]).slice(5).map((d) => d.allowed)).toEqual([true, true, false]);
    expect(run([...burst, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000]).slice(5).map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it("allows a steady rate at the limit forever", () => {
    const times = Array.from({ length: 100 }, (_, i) => i * 2_000);
    expect(run(times).every((d) => d.allowed)).toBe(true);
  });

  it("parses policies and falls back on nonsense", () => {
    expect(parsePolicy("60/60", policy)).toEqual({ limit: 60, periodMs: 60_000 });
    expect(parsePolicy("0/60", policy)).toBe(policy);
    expect(parsePolicy("lots", policy)).toBe(policy);
  });
});

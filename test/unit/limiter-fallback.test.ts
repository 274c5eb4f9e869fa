import { describe, expect, it } from "vitest";
import { gcra, type RateDecision, type RatePolicy } from "../../src/edge/gcra.ts";
import { IsolateBuckets } from "../../src/edge/isolate-buckets.ts";
import { limitWithFallback } from "../../src/edge/limiter-fallback.ts";
import { CircuitBreaker } from "../../src/resilience/breaker.ts";

const policy: RatePolicy = { limit: 3, periodMs: 60_000 };

describe("isolate buckets (fake clock)", () => {
  it("hold the same GCRA limit as the region's limiter, per key", () => {
    const buckets = new IsolateBuckets();
    const a = [0, 0, 0, 0].map(() => buckets.hit("ip:a", policy, 0).allowed);
    expect(a).toEqual([true, true, true, false]);
    expect(buckets.hit("ip:b", policy, 0).allowed).toBe(true);
    expect(buckets.hit("ip:a", policy, 20_000).allowed).toBe(true);
  });

  it("stay bounded under a flood of new keys, forgetting the least recently used first", () => {
    const buckets = new IsolateBuckets(100);
    for (let i = 0; i < 3; i++) buckets.hit("ip:regular", policy, 0);
    for (let i = 0; i < 10_000; i++) {
      buckets.hit(`ip:spoofed-${i}`, policy, 0);
      // The regular client keeps being seen, so it is never the oldest.
      if (i % 50 === 0) buckets.hit("ip:regular", policy, 0);
    }
    expect(buckets.size).toBe(100);
    expect(buckets.hit("ip:regular", policy, 0).allowed).toBe(false);
  });
});

describe("limiter with an isolate fallback", () => {
  const breaker = () => new CircuitBreaker("rate_limiter", { failures: 3, coolDownMs: 10_000 }, () => 0);
  const request = (key = "ip:a") => ({ key, policy, now: 0, timeoutMs: 20 });
  /** The region's limiter, working: a GCRA of its own. */
  function regionLimiter() {
    const tats = new Map<string, number>();
    const hit = async (key: string, p: RatePolicy, now: number): Promise<RateDecision> => {
      const d = gcra(tats.get(key), p, now);
      if (d.allowed) tats.set(key, d.tat);
      return d;
    };
    return { hit };
  }
  const failing = () => Promise.reject(new Error("limiter down"));
  const hanging = () => new Promise<RateDecision>(() => {});

  it("uses the region's decision while the limiter answers in time", async () => {
    const region = regionLimiter();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limitWithFallback(request(), region.hit, new IsolateBuckets(), breaker()));
    expect(results.map((r) => [r.source, r.decision.allowed])).toEqual([["region", true], ["region", true], ["region", true], ["region", false]]);
  });

  it.each([
    ["failing", failing, "error"],
    ["slower than its timeout", hanging, "timeout"],
  ] as const)("still limits when the region's limiter is %s: the isolate's buckets decide", async (_name, remote, failure) => {
    const buckets = new IsolateBuckets();
    const b = new CircuitBreaker("rate_limiter", { failures: 100, coolDownMs: 10_000 }, () => 0);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limitWithFallback(request(), remote, buckets, b));
    expect(results.map((r) => r.decision.allowed)).toEqual([true, true, true, false]);
    expect(results.every((r) => r.source === "isolate" && r.failure === failure)).toBe(true);
  });

  it("stops calling a limiter that keeps failing (breaker open) and goes on limiting locally", async () => {
    const buckets = new IsolateBuckets();
    const b = breaker();
    let calls = 0;
    const remote = () => {
      calls++;
      return failing();
    };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await limitWithFallback(request(`ip:${i % 2}`), remote, buckets, b));
    expect(calls).toBe(3);
    expect(results.slice(3).map((r) => r.source === "isolate" && r.failure)).toEqual(["breaker_open", "breaker_open", "breaker_open"]);
    expect(results.map((r) => r.decision.allowed)).toEqual([true, true, true, true, true, true]);
    expect((await limitWithFallback(request("ip:0"), remote, buckets, b)).decision.allowed).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { countOf, cumulativeCounts, emptyHistogram, histogramFromJSON, histogramToJSON, mergeHistogram, observe, quantile } from "../../src/ops/histogram.ts";

function turnHistogram(seconds: number[]) {
  const h = emptyHistogram("turn_seconds");
  for (const s of seconds) observe(h, "turn_seconds", s);
  return h;
}

describe("fixed-bucket histograms", () => {
  it("counts each observation in the first bucket whose bound it does not exceed", () => {
    const h = turnHistogram([0.005, 0.006, 0.1, 10, 11]);
    expect(h.counts).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]);
    expect(countOf(h)).toBe(5);
    expect(h.sum).toBeCloseTo(21.111);
  });

  it("gives cumulative counts ending in the total, as the le buckets need", () => {
    const cum = cumulativeCounts(turnHistogram([0.003, 0.2, 0.2, 3, 30]));
    expect(cum.at(-1)).toBe(5);
    for (let i = 1; i < cum.length; i++) expect(cum[i]).toBeGreaterThanOrEqual(cum[i - 1]!);
  });

  it("estimates percentiles by linear interpolation within a bucket", () => {
    // 10 observations in (0.1, 0.25]: the median is halfway through that bucket.
    const h = turnHistogram(Array(10).fill(0.2));
    expect(quantile(h, "turn_seconds", 0.5)).toBeCloseTo(0.175);
    expect(quantile(h, "turn_seconds", 1)).toBeCloseTo(0.25);
  });

  it("places p99 in the slow tail when 1 in 50 turns is slow", () => {
    const h = turnHistogram([...Array(98).fill(0.05), 4, 4]);
    expect(quantile(h, "turn_seconds", 0.5)!).toBeLessThanOrEqual(0.05);
    expect(quantile(h, "turn_seconds", 0.99)!).toBeGreaterThan(2.5);
    expect(quantile(h, "turn_seconds", 0.99)!).toBeLessThanOrEqual(5);
  });

  it("reports the last finite bound for a rank in +Inf, and nothing when empty", () => {
    expect(quantile(turnHistogram([60]), "turn_seconds", 0.5)).toBe(10);
    expect(quantile(emptyHistogram("turn_seconds"), "turn_seconds", 0.5)).toBeNull();
  });

  it("merges histograms by adding bucket counts and sums", () => {
    const a = turnHistogram([0.01, 1]);
    mergeHistogram(a, turnHistogram([1, 2]));
    expect(countOf(a)).toBe(4);
    expect(a.sum).toBeCloseTo(4.01);
  });

  it("round-trips through compact JSON", () => {
    const h = turnHistogram([0.01, 0.3, 7]);
    expect(histogramFromJSON("turn_seconds", JSON.parse(JSON.stringify(histogramToJSON(h))))).toEqual(h);
  });

  it("uses minutes-scale buckets for agent first responses", () => {
    const h = emptyHistogram("agent_first_response_seconds");
    for (const s of [20, 40, 50, 100]) observe(h, "agent_first_response_seconds", s);
    expect(quantile(h, "agent_first_response_seconds", 0.5)).toBeCloseTo(45);
  });
});

import { describe, expect, it } from "vitest";
import { ProbeCache } from "../../src/resilience/probe-cache.ts";

describe("probe cache (fake clock)", () => {
  it("makes one probe per key per window, shared by callers that arrive while it runs", async () => {
    let now = 0;
    const cache = new ProbeCache<number>(5_000, () => now);
    let probes = 0;
    const probe = () => new Promise<number>((resolve) => setTimeout(() => resolve(++probes), 5));
    const first = await Promise.all([cache.get("weur", probe), cache.get("weur", probe), cache.get("weur", probe)]);
    now = 4_999;
    expect(await cache.get("weur", probe)).toBe(1);
    expect(first).toEqual([1, 1, 1]);
    expect(await cache.get("apac", probe)).toBe(2);
    now = 5_000;
    expect(await cache.get("weur", probe)).toBe(3);
    expect(probes).toBe(3);
  });

  it("treats a clock that went backwards as still inside the window", async () => {
    let now = 10_000;
    const cache = new ProbeCache<string>(5_000, () => now);
    await cache.get("k", async () => "first");
    now = 0;
    expect(await cache.get("k", async () => "second")).toBe("first");
  });
});

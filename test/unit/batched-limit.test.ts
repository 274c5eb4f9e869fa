import { describe, expect, it } from "vitest";
import { BatchedLimit } from "../../src/edge/batched-limit.ts";

const refused = (retryAfterMs: number) => ({ allowed: false, tat: 0, remaining: 0, retryAfterMs, resetMs: retryAfterMs });
const allowed = { allowed: true, tat: 0, remaining: 5, retryAfterMs: 0, resetMs: 0 };

describe("batched limit", () => {
  it("admits at once and reports the count per key", () => {
    const limit = new BatchedLimit();
    for (let i = 0; i < 3; i++) expect(limit.admit("ip:a", 0)).toEqual({ allowed: true });
    limit.admit("ip:b", 0);
    expect(limit.take()).toEqual([{ key: "ip:a", count: 3 }, { key: "ip:b", count: 1 }]);
    expect(limit.due).toBe(false);
  });

  it("refuses a key the limiter said was over its limit, until then, and only that key", () => {
    const limit = new BatchedLimit();
    limit.admit("ip:a", 0);
    limit.take();
    limit.settle("ip:a", refused(5_000), 1_000);
    expect(limit.admit("ip:a", 2_000)).toEqual({ allowed: false, retryAfterMs: 4_000 });
    expect(limit.admit("ip:b", 2_000)).toEqual({ allowed: true });
    expect(limit.admit("ip:a", 6_001)).toEqual({ allowed: true });
  });

  it("leaves a key alone when the limiter allowed its batch", () => {
    const limit = new BatchedLimit();
    limit.settle("ip:a", allowed, 0);
    expect(limit.admit("ip:a", 1)).toEqual({ allowed: true });
  });
});

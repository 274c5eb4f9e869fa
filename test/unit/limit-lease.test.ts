// Leases on the region's limiter: requests well under a limit skip the round trip, near the
// limit every one is decided by the limiter, and the leased ones are always counted.
import { describe, expect, it } from "vitest";
import { gcra, type RateDecision, type RatePolicy } from "../../src/edge/gcra.ts";
import { LEASE_MAX, LEASE_MS, LimitLeases } from "../../src/edge/limit-lease.ts";

/** The region's limiter as RegionLimiterDO keeps it: GCRA per key, `count` hits at once. */
class Limiter {
  private readonly tats = new Map<string, number>();
  calls = 0;
  hitMany(key: string, policy: RatePolicy, count: number, now: number): RateDecision {
    this.calls++;
    let decision!: RateDecision;
    for (let i = 0; i < count; i++) {
      decision = gcra(this.tats.get(key), policy, now);
      if (!decision.allowed) break;
      this.tats.set(key, decision.tat);
    }
    return decision;
  }
}

/** One isolate deciding a request as the rate-limit middleware does. */
function decide(leases: LimitLeases, limiter: Limiter, key: string, policy: RatePolicy, now: number): RateDecision {
  const leased = leases.admit(key, now);
  if (leased) return leased;
  const decision = limiter.hitMany(key, policy, 1 + leases.release(key), now);
  leases.settle(key, decision, now);
  return decision;
}

const policy: RatePolicy = { limit: 120, periodMs: 60_000 };

describe("limit leases", () => {
  it("stop a client at exactly the limit, with most requests under it skipping the limiter", () => {
    const limiter = new Limiter();
    const leases = new LimitLeases();
    const decisions = Array.from({ length: 130 }, () => decide(leases, limiter, "ip:a", policy, 1_000));
    expect(decisions.findIndex((d) => !d.allowed)).toBe(120);
    expect(decisions.slice(120).every((d) => !d.allowed)).toBe(true);
    expect(limiter.calls).toBeLessThan(60);
    // The remaining count each request is told goes down one by one, as the limiter's would.
    expect(decisions.slice(0, 120).map((d) => d.remaining)).toEqual(Array.from({ length: 120 }, (_, i) => 119 - i));
  });

  it("count the leased requests with the next call, even after the lease ran out", () => {
    const limiter = new Limiter();
    const leases = new LimitLeases();
    decide(leases, limiter, "ip:a", policy, 0);
    for (let i = 0; i < 5; i++) expect(leases.admit("ip:a", 10)).not.toBeNull();
    expect(leases.admit("ip:a", LEASE_MS + 1)).toBeNull();
    expect(leases.release("ip:a")).toBe(5);
    // Released once: a concurrent caller does not count them again.
    expect(leases.release("ip:a")).toBe(0);
  });

  it("grant no lease near the limit, on a refusal, or for another key", () => {
    const leases = new LimitLeases();
    const at = (remaining: number, allowed = true): RateDecision => ({ allowed, tat: 0, remaining, retryAfterMs: allowed ? 0 : 500, resetMs: 0 });
    leases.settle("ip:a", at(3), 0);
    expect(leases.admit("ip:a", 1)).toBeNull();
    leases.settle("ip:a", at(0, false), 0);
    expect(leases.admit("ip:a", 1)).toBeNull();
    leases.settle("ip:a", at(1_000), 0);
    expect(leases.admit("ip:b", 1)).toBeNull();
    let admitted = 0;
    while (leases.admit("ip:a", 1)) admitted++;
    expect(admitted).toBe(LEASE_MAX);
  });

  it("let isolates together overshoot a limit by no more than the leases they hold", () => {
    const limiter = new Limiter();
    const isolates = Array.from({ length: 8 }, () => new LimitLeases());
    let allowed = 0;
    for (let i = 0; i < 400; i++) if (decide(isolates[i % isolates.length]!, limiter, "ip:a", policy, 1_000).allowed) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(policy.limit);
    expect(allowed).toBeLessThanOrEqual(policy.limit + isolates.length * LEASE_MAX);
  });
});

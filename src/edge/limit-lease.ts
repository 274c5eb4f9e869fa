// Leases on the region's limiter, per isolate. When the limiter admits a request for a key
// with plenty of room left, the next few requests for that key are admitted here without a
// round trip, and are counted at the limiter together with the next request that goes
// there. A lease is at most a quarter of what remained (and at most LEASE_MAX requests) and
// lasts LEASE_MS, so close to a limit every request is again decided by the limiter itself:
// one isolate stops a client at exactly the same count as without leases, and isolates
// together overshoot by at most the leases they hold. Requests admitted on a lease are
// counted with the key's next call to the limiter, whenever it comes; only a key pushed out
// of the isolate's table (the oldest, past MAX_KEYS) loses them.
import type { RateDecision } from "./gcra.ts";

/** The share of the remaining requests one isolate may admit on its own. */
export const LEASE_SHARE = 0.25;
/** The most requests one lease admits. */
export const LEASE_MAX = 16;
/** How long a lease lasts. */
export const LEASE_MS = 250;
/** Keys with a lease or uncounted requests kept per isolate; the oldest go first. */
const MAX_KEYS = 10_000;

interface Lease {
  /** Requests the lease may still admit (0 once it is used up or given back). */
  left: number;
  until: number;
  /** Requests admitted on it that the limiter has not counted yet. */
  uncounted: number;
  /** What the limiter said when it granted the lease. */
  decision: RateDecision;
}

export class LimitLeases {
  private readonly leases = new Map<string, Lease>();

  /** A request admitted on a live lease (with the decision to report), or null: the limiter must decide. */
  admit(key: string, now: number): RateDecision | null {
    const lease = this.leases.get(key);
    if (!lease || lease.left <= 0 || lease.until <= now) return null;
    lease.left--;
    lease.uncounted++;
    return { ...lease.decision, remaining: Math.max(0, lease.decision.remaining - lease.uncounted) };
  }

  /**
   * Ends a key's lease before asking the limiter: the requests it admitted, which go with
   * that call. Taken once, so that concurrent callers do not count them twice.
   */
  release(key: string): number {
    const lease = this.leases.get(key);
    if (!lease) return 0;
    this.leases.delete(key);
    return lease.uncounted;
  }

  /** After the limiter decided: a new lease from what remains, when there is room for one. */
  settle(key: string, decision: RateDecision, now: number): void {
    if (!decision.allowed) return;
    const left = Math.min(LEASE_MAX, Math.floor(decision.remaining * LEASE_SHARE));
    if (left < 1) return;
    this.leases.delete(key);
    if (this.leases.size >= MAX_KEYS) this.leases.delete(this.leases.keys().next().value!);
    this.leases.set(key, { left, until: now + LEASE_MS, uncounted: 0, decision });
  }
}

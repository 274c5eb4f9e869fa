// A per-key limit whose counting is sent to the region's limiter in batches: each request
// is decided at once from what the limiter last said (blocked until some time, or not), and
// the requests since then are reported together. A WebSocket message would otherwise wait
// for (and pay) a limiter call of its own; the price is a short overshoot — the requests of
// one flush interval — before a client over its limit is stopped.
import type { RateDecision } from "./gcra.ts";

export type BatchDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class BatchedLimit {
  private readonly pending = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();

  /** Decides one request for `key` at `now` and counts it towards the next report. */
  admit(key: string, now: number): BatchDecision {
    const until = this.blockedUntil.get(key) ?? 0;
    if (until > now) return { allowed: false, retryAfterMs: until - now };
    this.blockedUntil.delete(key);
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    return { allowed: true };
  }

  /** The requests to report, by key; counting starts again. */
  take(): Array<{ key: string; count: number }> {
    const out = [...this.pending].map(([key, count]) => ({ key, count }));
    this.pending.clear();
    return out;
  }

  /** What the limiter said after counting a key's requests: over the limit blocks it for a while. */
  settle(key: string, decision: RateDecision, now: number): void {
    if (!decision.allowed) this.blockedUntil.set(key, now + decision.retryAfterMs);
  }

  /** Whether anything waits to be reported. */
  get due(): boolean {
    return this.pending.size > 0;
  }
}

// The generic cell rate algorithm: an exact rate limit with bursts, one number of state per
// key (the theoretical arrival time). `limit` requests per `periodMs`, all of them allowed
// at once after a quiet period, then one every periodMs / limit.

export interface RatePolicy {
  limit: number;
  periodMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** The state to store (unchanged when rejected). */
  tat: number;
  /** Requests still allowed right now. */
  remaining: number;
  /** Milliseconds until the next request would be allowed (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the full burst is available again. */
  resetMs: number;
}

/** Decides one request at `now` given the stored TAT (undefined for a new key). */
export function gcra(tat: number | undefined, policy: RatePolicy, now: number): RateDecision {
  const interval = policy.periodMs / policy.limit;
  const tolerance = policy.periodMs - interval;
  const current = Math.max(tat ?? now, now);
  const next = current + interval;
  const allowAt = next - policy.periodMs;
  if (allowAt > now) {
    const retryAfterMs = Math.ceil(allowAt - now);
    return { allowed: false, tat: current, remaining: 0, retryAfterMs, resetMs: Math.ceil(current - now) };
  }
  const remaining = Math.floor((now + tolerance - next) / interval) + 1;
  return { allowed: true, tat: next, remaining: Math.max(0, remaining), retryAfterMs: 0, resetMs: Math.ceil(next - now) };
}

/** Parses `<limit>/<seconds>` (e.g. `60/60`), falling back when malformed. */
export function parsePolicy(raw: string | undefined, fallback: RatePolicy): RatePolicy {
  const m = /^(\d+)\/(\d+)$/.exec(raw?.trim() ?? "");
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) return fallback;
  return { limit: Number(m[1]), periodMs: Number(m[2]) * 1000 };
}

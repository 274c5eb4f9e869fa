// Which limiter decides a request: the region's RegionLimiterDO when it answers in time, else
// this isolate's own buckets, so a slow or failing limiter degrades to a per-isolate limit
// rather than to "allow everything". A breaker skips the remote call while it keeps failing,
// so a broken limiter does not add its timeout to every request.
import type { CircuitBreaker } from "../resilience/breaker.ts";
import type { RateDecision, RatePolicy } from "./gcra.ts";
import type { IsolateBuckets } from "./isolate-buckets.ts";

export interface LimitRequest {
  key: string;
  policy: RatePolicy;
  now: number;
  /** How long the remote limiter may take. */
  timeoutMs: number;
}

/** The decision, who made it, and (for the log) why the remote one was not used. */
export type LimitResult =
  | { source: "region"; decision: RateDecision }
  | { source: "isolate"; decision: RateDecision; failure: "timeout" | "breaker_open" | "error" };

/** Decides one request: `remote` through `breaker` within the timeout, else `local`. */
export async function limitWithFallback(
  request: LimitRequest,
  remote: (key: string, policy: RatePolicy, now: number) => Promise<RateDecision>,
  local: Pick<IsolateBuckets, "hit">,
  breaker: CircuitBreaker,
): Promise<LimitResult> {
  const { key, policy, now } = request;
  try {
    return { source: "region", decision: await breaker.run(() => remote(key, policy, now), request.timeoutMs) };
  } catch (err) {
    const name = (err as Error).name;
    const failure = name === "TimeoutError" ? "timeout" : name === "BreakerOpenError" ? "breaker_open" : "error";
    return { source: "isolate", decision: local.hit(key, policy, now), failure };
  }
}

// Per-key rate limits through the region's RegionLimiterDO shards. Over the limit: 429 with
// Retry-After, RateLimit-Policy and RateLimit; nothing behind the limit is touched. A
// limiter that cannot be reached lets the request through (availability over strictness).
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateDecision, RatePolicy } from "../../edge/gcra.ts";
import { limiterFor } from "../../platform/limiter.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

/** IETF RateLimit fields for a decision. */
export function rateLimitHeaders(policy: RatePolicy, decision: RateDecision): Record<string, string> {
  const window = Math.round(policy.periodMs / 1000);
  const headers: Record<string, string> = {
    "RateLimit-Policy": `${policy.limit};w=${window}`,
    RateLimit: `limit=${policy.limit}, remaining=${decision.remaining}, reset=${Math.ceil(decision.resetMs / 1000)}`,
  };
  if (!decision.allowed) headers["Retry-After"] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}

/** The client's address as Cloudflare reports it. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
}

/** Keys are stored as digests: no IP address or API key sits in a limiter's storage. */
export async function digest(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...bytes.subarray(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function rateLimit(kind: string, identity: (c: Context<AppEnv>) => string, policyOf: (config: AppEnv["Variables"]["config"]) => RatePolicy) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { config, location } = c.var;
    const policy = policyOf(config);
    const k = `${kind}:${await digest(identity(c))}`;
    let decision: RateDecision;
    try {
      decision = await limiterFor(c.env, location.region, k, config.limits.shards).hit(k, policy, Date.now());
    } catch (err) {
      console.error(JSON.stringify({ level: "warn", code: "rate_limiter_unavailable", kind: (err as Error).name }));
      return next();
    }
    if (!decision.allowed) throw new AppError("rate_limited", undefined, rateLimitHeaders(policy, decision));
    await next();
    // An inner limit that rejected the request (the conversation's) speaks for itself.
    if (c.res.headers.has("RateLimit")) return;
    for (const [name, value] of Object.entries(rateLimitHeaders(policy, decision))) c.res.headers.set(name, value);
  });
}

/** The per-IP limiter key of a request's client (a digest; WebSocket sends count against it too). */
export async function clientLimitKey(c: Context<AppEnv>): Promise<string> {
  return `ip:${await digest(clientIp(c))}`;
}

/** The customer API's limit: per client IP. */
export const perClientIp = rateLimit("ip", clientIp, (config) => config.limits.ip);

/** The admin API's limit: per credential presented. */
export const perAdminKey = rateLimit("admin", (c) => c.req.header("authorization") ?? "", (config) => config.limits.admin);

// Per-key rate limits through the region's RegionLimiterDO shards. Over the limit: 429 with
// Retry-After, RateLimit-Policy and RateLimit; nothing behind the limit is touched. A
// limiter that is slow (RATE_LIMIT_TIMEOUT_MS) or failing is replaced by this isolate's own
// buckets (src/edge/limiter-fallback.ts): the same policy per isolate, never "allow all".
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { RateDecision, RatePolicy } from "../../edge/gcra.ts";
import { keyedDigest, networkDigest } from "../../edge/client-key.ts";
import { LimitLeases } from "../../edge/limit-lease.ts";
import { requireClientKeySecret } from "../../config.ts";
import { limitHit } from "../../platform/limiter.ts";
import { AppError, unwrap, type Outcome } from "../../errors.ts";
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

/**
 * Unwraps a Durable Object's outcome. Its `rate_limited` comes from a limit of the object's
 * own (a conversation's sends, or its other frames): a 429 with that policy's headers, which
 * the per-IP limit around the route then leaves alone.
 */
export function unwrapLimited<T>(outcome: Outcome<T>, policy: RatePolicy): T {
  if (!outcome.ok && outcome.code === "rate_limited") {
    const retryAfterMs = outcome.retryAfterMs ?? 1_000;
    throw new AppError("rate_limited", undefined, rateLimitHeaders(policy, { allowed: false, tat: 0, remaining: 0, retryAfterMs, resetMs: retryAfterMs }));
  }
  return unwrap(outcome);
}

/** The client's address as Cloudflare reports it. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "unknown";
}

/** This isolate's leases on the region's limiters, for every policy (keys carry their kind). */
const leases = new LimitLeases();

/**
 * Decides a request at the region's limiter, or on this isolate's lease for the key when
 * the limiter left plenty of room (src/edge/limit-lease.ts): most requests of a client well
 * under its limit skip the round trip, and near the limit each one is decided there.
 */
async function decide(c: Context<AppEnv>, key: string, policy: RatePolicy): Promise<RateDecision> {
  const leased = leases.admit(key, Date.now());
  if (leased) return leased;
  const uncounted = leases.release(key);
  const decision = await limitHit(c.env, c.var.config, c.var.location.region, key, policy, 1 + uncounted);
  leases.settle(key, decision, Date.now());
  return decision;
}

/** A limit per `identity`: the digest of what the request is counted by (never the value itself). */
export function rateLimit(kind: string, identity: (c: Context<AppEnv>) => Promise<string>, policyOf: (config: AppEnv["Variables"]["config"]) => RatePolicy) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const policy = policyOf(c.var.config);
    const key = `${kind}:${await identity(c)}`;
    const decision = await decide(c, key, policy);
    if (!decision.allowed) throw new AppError("rate_limited", undefined, rateLimitHeaders(policy, decision));
    await next();
    // An inner limit (conversation starts, the conversation's sends) speaks for itself.
    if (c.res.headers.has("RateLimit")) return;
    for (const [name, value] of Object.entries(rateLimitHeaders(policy, decision))) c.res.headers.set(name, value);
  });
}

/**
 * The per-IP limiter key of a client address: its network (an IPv4 address, an IPv6 /64),
 * HMAC-keyed (src/edge/client-key.ts). WebSocket sends count against it too.
 */
export async function ipLimitKey(secret: string, address: string): Promise<string> {
  return `ip:${await networkDigest(secret, address)}`;
}

/** The per-IP limiter key of a request's client. */
export function clientLimitKey(c: Context<AppEnv>): Promise<string> {
  return ipLimitKey(requireClientKeySecret(c.var.config), clientIp(c));
}

/** The customer API's limit: per client network (IPv4 address, IPv6 /64). */
const byClientIp = (c: Context<AppEnv>) => networkDigest(requireClientKeySecret(c.var.config), clientIp(c));

export const perClientIp = rateLimit("ip", byClientIp, (config) => config.limits.ip);

/** Conversations started per client IP (POST /v1/conversations only). */
const conversationsPerIp = rateLimit("ip-start", byClientIp, (config) => config.limits.conversationsPerIp);
export const perIpConversationStarts = createMiddleware<AppEnv>((c, next) => (c.req.method === "POST" ? conversationsPerIp(c, next) : next()));

/** The admin API's limits: per client IP, so rotating guessed keys does not escape it… */
export const perAdminIp = rateLimit("admin-ip", byClientIp, (config) => config.limits.adminIp);

/** …and per credential presented. */
export const perAdminKey = rateLimit("admin", (c) => keyedDigest(requireClientKeySecret(c.var.config), "credential", c.req.header("authorization") ?? ""), (config) => config.limits.admin);

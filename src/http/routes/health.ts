// Liveness and readiness. /readyz reports each dependency — the token secret, the KB
// primary, the region's replica (version, lag, staleness) — with the circuit breakers'
// states, the Worker version that answered and, in development, the active faults. Ready while customers can be answered,
// even from a stale copy (that is "degraded", still 200); not ready only when they cannot.
// The primary and replica probes are reused for READYZ_CACHE_MS (5 s) per isolate, so
// /readyz, which anyone may call, cannot be used to hammer the primary.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { kbVersion } from "../../kb/articles.ts";
import { openPrimary } from "../../platform/primary.ts";
import { replicaOf } from "../../platform/replicas.ts";
import { workerVersion } from "../../platform/version.ts";
import { isolateBreakers, withTimeout } from "../../resilience/breaker.ts";
import { currentFaults, faultNames } from "../../resilience/faults.ts";
import { ProbeCache } from "../../resilience/probe-cache.ts";
import type { AppEnv } from "../context.ts";

const tags = ["Operations"];

const Readiness = z.object({
  status: z.enum(["ready", "degraded", "not_ready"]),
  region: z.string(),
  checks: z.object({
    tokenSecret: z.enum(["ok", "missing"]),
    primary: z.object({ reachable: z.boolean(), version: z.number().int().nullable() }),
    replica: z.object({ reachable: z.boolean(), kbVersion: z.number().int().nullable(), lagSeconds: z.number().int().nullable(), stale: z.boolean() }),
  }),
  breakers: z.record(z.string(), z.enum(["closed", "open", "half_open"])),
  faults: z.array(z.string()),
  version: z
    .object({ id: z.string(), tag: z.string(), timestamp: z.string() })
    .openapi({ description: "The Worker version that answered (version metadata: id, tag, upload time); during a gradual deployment, send Cloudflare-Workers-Version-Overrides to reach a given one." }),
});

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags,
  summary: "Liveness: the Worker answers",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags,
  summary: "Readiness: dependencies, replica lag and circuit breakers",
  responses: {
    200: { description: "Ready (possibly degraded)", content: { "application/json": { schema: Readiness } } },
    503: { description: "Not ready", content: { "application/json": { schema: Readiness } } },
  },
});

export const health = new OpenAPIHono<AppEnv>();

type ReplicaStatus = Awaited<ReturnType<ReturnType<typeof replicaOf>["status"]>>;
let caches: { ttlMs: number; primary: ProbeCache<number | null>; replica: ProbeCache<ReplicaStatus | null> } | null = null;

/** The isolate's probe caches (made on first use, when the configured TTL is known). */
function probeCaches(ttlMs: number) {
  if (caches?.ttlMs !== ttlMs) caches = { ttlMs, primary: new ProbeCache(ttlMs), replica: new ProbeCache(ttlMs) };
  return caches;
}

health.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));

health.openapi(readyz, async (c) => {
  const { config } = c.var;
  const { region } = c.var.location;
  const faults = currentFaults(config.devMode, config.faultsAtStart);
  // Keyed by the faults too, so a drill that switches one sees its effect at once.
  const faultKey = faultNames(faults).join(",");
  const { primary, replica: replicas } = probeCaches(config.readyzCacheMs);
  const [version, replica] = await Promise.all([
    primary.get(faultKey, () => withTimeout(kbVersion(openPrimary(config.primary, () => faults.primaryDown)), 1_500, "primary").catch(() => null)),
    replicas.get(`${region}|${faultKey}`, () => withTimeout(replicaOf(c.env, { region, shard: 0 }).status(true), 1_500, "replica").catch(() => null)),
  ]);
  const replicaDown = replica === null || faults.replicaDown;
  const checks = {
    tokenSecret: config.tokenSecret.length >= 16 ? ("ok" as const) : ("missing" as const),
    primary: { reachable: version !== null, version },
    replica: { reachable: !replicaDown, kbVersion: replica?.kbVersion ?? null, lagSeconds: replica?.lagSeconds ?? null, stale: replica?.stale ?? true },
  };
  const status = checks.tokenSecret !== "ok" ? "not_ready" : replicaDown || checks.replica.stale || version === null ? "degraded" : "ready";
  const breakers = isolateBreakers({ failures: config.resilience.breakerFailures, coolDownMs: config.resilience.breakerCoolDownMs }).states();
  return c.json({ status, region, checks, breakers, faults: faultNames(faults), version: workerVersion(c.env) } as const, status === "not_ready" ? 503 : 200);
});

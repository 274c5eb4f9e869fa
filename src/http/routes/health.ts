// Liveness and readiness. /readyz reports each dependency — the token secret, the KB
// primary, the region's replica (version, lag, staleness) — with the circuit breakers'
// states and, in development, the active faults. Ready while customers can be answered,
// even from a stale copy (that is "degraded", still 200); not ready only when they cannot.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { kbVersion } from "../../kb/articles.ts";
import { openPrimary } from "../../platform/primary.ts";
import { replicaOf } from "../../platform/replicas.ts";
import { isolateBreakers, withTimeout } from "../../resilience/breaker.ts";
import { currentFaults, faultNames } from "../../resilience/faults.ts";
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

health.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));

health.openapi(readyz, async (c) => {
  const { config } = c.var;
  const { region } = c.var.location;
  const faults = currentFaults(config.devMode, config.faultsAtStart);
  const [version, replica] = await Promise.all([
    withTimeout(kbVersion(openPrimary(config.primary, () => faults.primaryDown)), 1_500, "primary").catch(() => null),
    withTimeout(replicaOf(c.env, { region, shard: 0 }).status(), 1_500, "replica").catch(() => null),
  ]);
  const replicaDown = replica === null || faults.replicaDown;
  const checks = {
    tokenSecret: config.tokenSecret.length >= 16 ? ("ok" as const) : ("missing" as const),
    primary: { reachable: version !== null, version },
    replica: { reachable: !replicaDown, kbVersion: replica?.kbVersion ?? null, lagSeconds: replica?.lagSeconds ?? null, stale: replica?.stale ?? true },
  };
  const status = checks.tokenSecret !== "ok" ? "not_ready" : replicaDown || checks.replica.stale || version === null ? "degraded" : "ready";
  const breakers = isolateBreakers({ failures: config.resilience.breakerFailures, coolDownMs: config.resilience.breakerCoolDownMs }).states();
  return c.json({ status, region, checks, breakers, faults: faultNames(faults) } as const, status === "not_ready" ? 503 : 200);
});

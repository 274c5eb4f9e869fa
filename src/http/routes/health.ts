// Liveness and readiness. Readiness grows with each dependency (KB replicas, breakers).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context.ts";

const tags = ["Operations"];

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
  summary: "Readiness: configuration and dependencies",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: z.object({ status: z.enum(["ready", "not_ready"]), checks: z.record(z.string(), z.string()) }) } } },
    503: { description: "Not ready", content: { "application/json": { schema: z.object({ status: z.enum(["ready", "not_ready"]), checks: z.record(z.string(), z.string()) }) } } },
  },
});

export const health = new OpenAPIHono<AppEnv>();

health.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));

health.openapi(readyz, (c) => {
  const checks: Record<string, string> = { tokenSecret: c.var.config.tokenSecret.length >= 16 ? "ok" : "missing" };
  const ready = Object.values(checks).every((v) => v === "ok");
  return c.json({ status: ready ? ("ready" as const) : ("not_ready" as const), checks }, ready ? 200 : 503);
});

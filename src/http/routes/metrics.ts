// GET /metrics: the Prometheus text exposition of every region's durable totals and current
// gauges (src/ops/prometheus.ts). Counters come only from what RegionOpsDOs have saved or
// logged, so they never go backwards across restarts, and show an event once its batch arrived.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { METRICS_CONTENT_TYPE, metricsBody } from "../../ops/prometheus.ts";
import type { MetricsView } from "../../ops/rollup.ts";
import { readRegions } from "../../platform/region-ops.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { errorResponses } from "../schemas.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  security: [{ bearerAuth: [] }],
  summary: "Prometheus metrics of every region (ops_viewer, admin)",
  description: "Text exposition format 0.0.4: holdfast_turns_total{region,mode,decision}, holdfast_turn_duration_seconds (histogram), holdfast_handoff_queue_depth, holdfast_agent_first_response_seconds, holdfast_sla_breaches_total, holdfast_replica_lag_seconds, holdfast_breaker_open and more (docs/ops.md).",
  middleware: [operatorAuth("ops_viewer", "admin")] as const,
  responses: { 200: { description: "The exposition", content: { "text/plain": { schema: z.string() } } }, ...errorResponses(401, 403) },
});

export const metrics = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

metrics.openapi(route, async (c) => {
  const answered = await readRegions(c.env, c.var.config, (stub, region) => stub.metricsView(region));
  const views = answered.map((r) => r.value as MetricsView | null).filter((v): v is MetricsView => v !== null);
  return c.text(metricsBody(views), 200, { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" });
});

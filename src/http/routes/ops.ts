// The ops API (ops_viewer, admin): support KPIs for a window, chart series and alerts, for
// one region or all of them (each region's RegionOpsDO answers; the Worker merges tallies
// and histograms, never percentiles).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ROLES, type OperatorRole } from "../../auth/roles.ts";
import { REGIONS, type Region } from "../../edge/regions.ts";
import type { Aggregate, Filter } from "../../ops/aggregate.ts";
import { parseAlertRules } from "../../ops/alert-rules.ts";
import type { Alert } from "../../ops/alerts.ts";
import { summarize } from "../../ops/kpi.ts";
import { isMetricName, METRIC_NAMES, seriesOf, type MetricName } from "../../ops/metrics.ts";
import type { Steps } from "../../ops/rollup.ts";
import { isVersionLabel } from "../../ops/version.ts";
import { readRegions } from "../../platform/region-ops.ts";
import { webhookTarget } from "../../platform/webhook.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { AlertsSchema, SeriesSchema, SummarySchema } from "../ops-schemas.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Operations"];
const security = [{ bearerAuth: [] }];
/** The roles that read the ops API (no customer data), and those that read the gap report (admin-gaps.ts). */
export const OPS_ROLES: readonly OperatorRole[] = ["ops_viewer", "admin"];
export const GAP_ROLES: readonly OperatorRole[] = ["kb_editor", "admin"];
const opsAuth = operatorAuth(...OPS_ROLES);

const Region = z.enum(REGIONS).optional().openapi({ description: "One region; absent: every region merged." });
const Window = z.enum(["1h", "24h", "7d"]).default("1h");
const Slice = {
  language: z.string().regex(/^[a-z]{2,3}$/, "language is an ISO 639-1 code such as en or zh").optional(),
  kbVersion: z.union([z.literal("none"), z.coerce.number().int().min(0)]).optional().openapi({ description: "A KB version, or none for replies made without one." }),
  mode: z.enum(["normal", "degraded"]).optional(),
  version: z.string().max(36).refine(isVersionLabel, "version is a Worker version id, unknown or other").optional().openapi({ description: "A Worker version id (as in byVersion), unknown or other." }),
};
const MAX_METRICS = 12;
const Metrics = z
  .string()
  .max(400)
  .transform((s) => s.split(",").map((m) => m.trim()).filter(Boolean))
  .refine((list) => list.length >= 1 && list.length <= MAX_METRICS, `between 1 and ${MAX_METRICS} comma-separated metrics`)
  .refine((list) => list.every(isMetricName), `metrics are: ${METRIC_NAMES.join(", ")}`)
  .openapi({ description: `One or more comma-separated metric names: ${METRIC_NAMES.join(", ")}.`, example: "turns,turn_latency_p99" });

const summary = createRoute({
  method: "get",
  path: "/v1/ops/summary",
  tags,
  security,
  summary: "Support KPIs for a window, sliced by language, KB version, mode and Worker version",
  middleware: [opsAuth] as const,
  request: { query: z.object({ region: Region, window: Window, ...Slice }) },
  responses: { 200: jsonResponse(SummarySchema, "The KPIs"), ...errorResponses(400, 401, 403) },
});

const series = createRoute({
  method: "get",
  path: "/v1/ops/series",
  tags,
  security,
  summary: "Metrics per step over a window, for charts",
  middleware: [opsAuth] as const,
  request: {
    query: z.object({
      metric: Metrics,
      region: Region,
      window: Window,
      step: z.coerce.number().int().min(60).max(86_400).optional().openapi({ description: "Seconds per point (rounded up to the bucket: a minute, an hour for 7d)." }),
      ...Slice,
    }),
  },
  responses: { 200: jsonResponse(SeriesSchema, "One series per metric"), ...errorResponses(400, 401, 403) },
});

const alerts = createRoute({
  method: "get",
  path: "/v1/ops/alerts",
  tags,
  security,
  summary: "Open and recently resolved alerts, and the rules in force",
  middleware: [opsAuth] as const,
  request: { query: z.object({ region: Region }) },
  responses: { 200: jsonResponse(AlertsSchema, "Alerts"), ...errorResponses(400, 401, 403) },
});

const access = createRoute({
  method: "get",
  path: "/v1/ops/access",
  tags,
  security,
  summary: "What the calling operator may see on the ops page",
  middleware: [operatorAuth(...ROLES)] as const,
  responses: { 200: jsonResponse(z.object({ role: z.enum(ROLES), ops: z.boolean(), gaps: z.boolean() }), "The operator's role and what it opens"), ...errorResponses(401) },
});

export const ops = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

ops.openapi(access, (c) => {
  const { role } = c.var.operator;
  return c.json({ role, ops: OPS_ROLES.includes(role), gaps: GAP_ROLES.includes(role) }, 200);
});

const regionsOf = (region: Region | undefined): readonly Region[] => (region ? [region] : REGIONS);
const filterOf = (q: Filter): Filter | undefined =>
  q.language === undefined && q.kbVersion === undefined && q.mode === undefined && q.version === undefined ? undefined : { language: q.language, kbVersion: q.kbVersion, mode: q.mode, version: q.version };

ops.openapi(summary, async (c) => {
  const q = c.req.valid("query");
  const answered = await readRegions(c.env, c.var.config, (stub, region) => stub.query(region, q.window, filterOf(q)), regionsOf(q.region));
  const aggs = answered.map((r) => r.value as Aggregate | null).filter((a): a is Aggregate => a !== null);
  const now = Date.now();
  const result = summarize(aggs.length ? aggs : [{ region: q.region ?? REGIONS.join(","), from: now, to: now, tallies: {}, gauges: {} }], q.window);
  return c.json({ ...result, regions: answered.map((r) => r.region) }, 200);
});

ops.openapi(series, async (c) => {
  const q = c.req.valid("query");
  const answered = await readRegions(c.env, c.var.config, (stub, region) => stub.steps(region, q.window, q.step === undefined ? undefined : q.step * 1000, filterOf(q)), regionsOf(q.region));
  const steps = answered.map((r) => r.value as Steps | null).filter((s): s is Steps => s !== null);
  const list = q.metric as MetricName[];
  return c.json({ region: q.region ?? answered.map((r) => r.region).join(","), window: q.window, series: list.map((metric) => seriesOf(metric, steps)) }, 200);
});

ops.openapi(alerts, async (c) => {
  const { region } = c.req.valid("query");
  const answered = await readRegions(c.env, c.var.config, (stub, r) => stub.alerts(r), regionsOf(region));
  const byRecent = (a: Alert, b: Alert) => b.updatedAt - a.updatedAt;
  const { rules, errors } = parseAlertRules(c.var.config.ops.alertRules);
  return c.json(
    {
      open: answered.flatMap((r) => r.value.open).sort(byRecent),
      recent: answered.flatMap((r) => r.value.recent).sort(byRecent).slice(0, 100),
      rules: rules.map((r) => ({ ...r })),
      ruleErrors: errors,
      webhook: webhookTarget(c.var.config) !== null,
      autoRemediation: Object.fromEntries(answered.map((r) => [r.region, c.var.config.ops.autoRemediation(r.region)])),
      runbookBaseUrl: c.var.config.ops.runbookBaseUrl || null,
    },
    200,
  );
});

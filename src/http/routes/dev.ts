// Development-only routes, for the benchmark and drills. They answer 404 unless the dev
// flag (HOLDFAST_DEV=1) is set, which no production configuration does, and they are left
// out of the API reference.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { REGIONS } from "../../edge/regions.ts";
import { replicaOf } from "../../kb/replicas.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { devOnly } from "../middleware/dev-only.ts";
import { jsonBody } from "../middleware/json-body.ts";


const searchTiming = createRoute({
  method: "post",
  path: "/v1/dev/replicas/{region}/search-timing",
  hide: true,
  middleware: [devOnly, jsonBody] as const,
  request: {
    params: z.object({ region: z.enum(REGIONS) }),
    body: { required: true, content: { "application/json": { schema: z.strictObject({ queries: z.array(z.string().max(500)).min(1).max(5_000), locale: z.string().max(35).optional() }) } } },
  },
  responses: { 200: { description: "Per-query search time inside the replica", content: { "application/json": { schema: z.object({ timings: z.array(z.object({ ms: z.number(), hits: z.number() })) }) } } } },
});

export const dev = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

dev.openapi(searchTiming, async (c) => {
  const { queries, locale } = c.req.valid("json");
  const timings = await replicaOf(c.env, c.req.valid("param").region).measureSearch(queries, { locale });
  return c.json({ timings }, 200);
});

// Development-only routes, for the benchmark and drills. They answer 404 unless the dev
// flag (HOLDFAST_DEV=1) is set, which no production configuration does, and they are left
// out of the API reference.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { benchFloor } from "../../platform/assets.ts";
import { REGIONS } from "../../edge/regions.ts";
import { replicaOf } from "../../platform/replicas.ts";
import { setOpsEventsForDev } from "../../platform/events.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { devOnly } from "../middleware/dev-only.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { ReplicaStatusSchema } from "../kb-schemas.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { devMailbox } from "../../platform/mail.ts";


const searchTiming = createRoute({
  method: "post",
  path: "/v1/dev/replicas/{region}/search-timing",
  hide: true,
  middleware: [devOnly, jsonBody] as const,
  request: {
    params: z.object({ region: z.enum(REGIONS) }),
    body: { required: true, content: { "application/json": { schema: z.strictObject({ queries: z.array(z.string().max(500)).min(1).max(5_000), locale: z.string().max(35).optional(), what: z.enum(["search", "retrieve"]).default("search") }) } } },
  },
  responses: { 200: { description: "Per-query search time inside the replica", content: { "application/json": { schema: z.object({ timings: z.array(z.object({ ms: z.number(), hits: z.number() })) }) } } } },
});

const replicaStatus = createRoute({
  method: "get",
  path: "/v1/dev/replicas/{region}/status",
  hide: true,
  middleware: [devOnly] as const,
  request: { params: z.object({ region: z.enum(REGIONS) }), query: z.object({ release: z.string().regex(/^rel_[0-9a-f]{16}$/).optional() }) },
  responses: { 200: { description: "One region's first replica shard (or, with `release`, its candidate replica in that release, probed as /readyz probes: it trains), without waking the others as the admin status does", content: { "application/json": { schema: ReplicaStatusSchema } } } },
});

const floor = createRoute({
  method: "get",
  path: "/v1/dev/floor/{name}/ws",
  hide: true,
  middleware: [devOnly] as const,
  request: { params: z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }) },
  responses: { 101: { description: "The bench floor's WebSocket: each message is INSERTed and echoed" } },
});

const opsEvents = createRoute({
  method: "put",
  path: "/v1/dev/ops-events",
  hide: true,
  middleware: [devOnly, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: z.strictObject({ on: z.boolean().nullable() }) } } } },
  responses: { 200: { description: "Whether ops events are emitted now (null: back to OPS_EVENTS)", content: { "application/json": { schema: z.object({ on: z.boolean() }) } } } },
});

const SentMailSchema = z.object({
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  messageId: z.string(),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  text: z.string(),
  conversationId: z.string(),
  sentAt: z.string(),
});

const mailOutbox = createRoute({
  method: "get",
  path: "/v1/dev/email/outbox",
  hide: true,
  middleware: [devOnly, operatorAuth("admin")] as const,
  responses: { 200: { description: "The mail sent through the send_email binding, oldest first (development only)", content: { "application/json": { schema: z.object({ items: z.array(SentMailSchema) }) } } } },
});

const wipeReplica = createRoute({
  method: "post",
  path: "/v1/dev/replicas/{region}/wipe",
  hide: true,
  middleware: [devOnly] as const,
  request: { params: z.object({ region: z.enum(REGIONS) }) },
  responses: { 200: { description: "The region's replica (shard 0) lost its storage; it rebuilds from the primary (the DR drill)", content: { "application/json": { schema: z.object({ wiped: z.string() }) } } } },
});

export const dev = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

dev.openapi(mailOutbox, async (c) => c.json({ items: await devMailbox(c.env).list() }, 200));

dev.openapi(wipeReplica, async (c) => {
  const { region } = c.req.valid("param");
  // The object resets itself when done, which the call sees as an error.
  await replicaOf(c.env, { region, shard: 0 }).wipe().catch(() => {});
  return c.json({ wiped: region }, 200);
});

// The benchmark's "events off" figures: the switch lives per isolate, as the faults do.
dev.openapi(opsEvents, (c) => c.json({ on: setOpsEventsForDev(c.var.config, c.req.valid("json").on) }, 200));

dev.openapi(floor, async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new AppError("upgrade_required");
  return benchFloor(c.env, c.req.valid("param").name, c.req.raw);
});

dev.openapi(replicaStatus, async (c) => {
  const address = { region: c.req.valid("param").region, shard: 0, release: c.req.valid("query").release };
  // A candidate replica's status is a readiness probe (it trains as if asked), as the stable
  // ones' is through /readyz: tools wait on it before customers talk.
  return c.json({ ...(await replicaOf(c.env, address).status(address.release !== undefined)), ...address }, 200);
});

dev.openapi(searchTiming, async (c) => {
  const { queries, locale, what } = c.req.valid("json");
  const timings = await replicaOf(c.env, { region: c.req.valid("param").region, shard: 0 }).measureSearch(queries, { locale }, what);
  return c.json({ timings }, 200);
});

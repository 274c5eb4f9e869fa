// Outbound webhooks for integrations (admin only): subscribe a URL to a team's conversation
// events (or every team's), list subscriptions, delete one. The signing secret is shown once,
// in the answer to POST; it is stored sealed (src/webhooks/repository.ts). Every call is
// audited (webhook.create, webhook.list, webhook.delete). Payloads: src/webhooks/events.ts.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { cryptoRandom } from "../../auth/operator-key.ts";
import { requireKeyring } from "../../config.ts";
import { TeamSchema } from "../../conversation/schemas.ts";
import { AppError } from "../../errors.ts";
import { forgetWebhookInterest, webhookOutbox } from "../../platform/webhook-outbox.ts";
import { validationHook } from "../../validation.ts";
import { WEBHOOK_EVENTS } from "../../webhooks/events.ts";
import { countWebhooks, createWebhook, deleteWebhook, listWebhooks, MAX_WEBHOOKS } from "../../webhooks/repository.ts";
import type { Subscription } from "../../webhooks/subscriptions.ts";
import { checkWebhookUrl, MAX_URL_LENGTH } from "../../webhooks/url.ts";
import { audited, chosenTarget, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: webhooks"];
const security = [{ bearerAuth: [] }];
const adminOnly = operatorAuth("admin");
const WEBHOOK_ID = /^wh_[0-9a-f]{16}$/;

const WebhookSchema = z
  .object({
    id: z.string().openapi({ example: "wh_0123456789abcdef" }),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    team: z.string().nullable().openapi({ description: "null: every team's events." }),
    includeText: z.boolean(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Webhook");

const CreatedSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: "Signs every delivery (X-Holdfast-Signature: sha256=<hex HMAC-SHA256 of the body>). Shown only here: store it now." }),
}).openapi("WebhookCreated");

const CreateSchema = z
  .strictObject({
    url: z.string().min(1).max(MAX_URL_LENGTH).openapi({ example: "https://crm.example.com/holdfast" }),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
    team: TeamSchema.optional().openapi({ description: "Only this team's conversations; absent: every team's." }),
    includeText: z.boolean().optional().openapi({ description: "Put customer and agent text (messages, rating comments) in payloads; off by default." }),
  })
  .openapi("CreateWebhook");

const IdParam = z.object({ id: z.string().regex(WEBHOOK_ID, "id is wh_ and 16 hex digits").openapi({ param: { name: "id", in: "path" }, example: "wh_0123456789abcdef" }) });

const create = createRoute({
  method: "post",
  path: "/v1/admin/webhooks",
  tags,
  security,
  summary: "Subscribe a URL to conversation events",
  description: `Roles: \`admin\`. HTTPS only (plain http to a loopback address in development only); no credentials in the URL, no private or loopback addresses. The secret is in this response and nowhere else. At most ${MAX_WEBHOOKS} webhooks (409 too_many_webhooks). Takes effect within 30 s everywhere.`,
  middleware: [audited("webhook.create", chosenTarget), adminOnly, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateSchema } } } },
  responses: { 201: jsonResponse(CreatedSchema, "Created; keep the secret"), ...errorResponses(400, 401, 403, 409, 413, 415, 429, 503) },
});

const list = createRoute({
  method: "get",
  path: "/v1/admin/webhooks",
  tags,
  security,
  summary: "List webhooks, oldest first (never their secrets)",
  description: "Roles: `admin`.",
  middleware: [audited("webhook.list", () => "-", { coalesceMs: 60_000 }), adminOnly] as const,
  responses: { 200: jsonResponse(z.object({ webhooks: z.array(WebhookSchema) }), "Every webhook"), ...errorResponses(401, 403, 429, 503) },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/admin/webhooks/{id}",
  tags,
  security,
  summary: "Delete a webhook",
  description: "Roles: `admin`. Deliveries still waiting for it are not sent.",
  middleware: [audited("webhook.delete", paramTarget(WEBHOOK_ID)), adminOnly] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ id: z.string(), deleted: z.literal(true) }), "Deleted"), ...errorResponses(400, 401, 403, 404, 429, 503) },
});

export const adminWebhooks = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

function visible(s: Subscription) {
  return { id: s.id, url: s.url, events: s.events, team: s.team, includeText: s.includeText, createdAt: new Date(s.createdAt).toISOString() };
}

adminWebhooks.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const { config } = c.var;
  const checked = checkWebhookUrl(input.url, config.devMode);
  if (!checked.ok) throw new AppError("webhook_url_invalid", [{ path: "url", issue: checked.issue }]);
  const ring = requireKeyring(config);
  const created = await onPrimary(config, async (db) => {
    if ((await countWebhooks(db)) >= MAX_WEBHOOKS) throw new AppError("too_many_webhooks");
    return createWebhook(db, ring, { ...input, url: checked.url }, { now: Date.now(), random: cryptoRandom, actor: c.var.operator.id });
  });
  c.set("auditTarget", created.subscription.id);
  await changed(c.env, config.jurisdictions, created.subscription.team);
  return c.json({ ...visible(created.subscription), secret: created.secret }, 201);
});

adminWebhooks.openapi(list, async (c) => {
  const webhooks = await onPrimary(c.var.config, listWebhooks);
  return c.json({ webhooks: webhooks.map(visible) }, 200);
});

adminWebhooks.openapi(remove, async (c) => {
  const { id } = c.req.valid("param");
  const removed = await onPrimary(c.var.config, (db) => deleteWebhook(db, id));
  if (!removed) throw new AppError("webhook_not_found");
  await changed(c.env, c.var.config.jurisdictions, removed.team);
  return c.json({ id, deleted: true as const }, 200);
});

/**
 * A subscription came or went: this isolate forgets what it knew, and a named team's outboxes
 * read their subscriptions again now; everything else catches up within 30 s.
 */
async function changed(env: Env, jurisdictions: boolean, team: string | null): Promise<void> {
  forgetWebhookInterest();
  if (team === null) return;
  const places = jurisdictions ? [null, "eu" as const] : [null];
  await Promise.all(places.map((j) => webhookOutbox(env, team, j).refresh(team).catch(() => {})));
}

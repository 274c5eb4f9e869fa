// Answer settings at run time: GET|PUT /v1/admin/settings/answers (admin, audited). With
// KB_RELEASES=on a PUT stages the changes (`staged: true`) for an answer-setting release
// (admin-releases.ts); off, they go live at once for every conversation.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { releaseObject, releaseViewChanged } from "../../platform/releases.ts";
import { AnswerSettingsSchema } from "../../releases/answer-settings.ts";
import { openReleaseOf, putSettings, readSettings } from "../../releases/repository.ts";
import { validationHook } from "../../validation.ts";
import { audited } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const admin = operatorAuth("admin");
const tags = ["Admin: releases"];
const security = [{ bearerAuth: [] }];
/** A dashboard polling the settings is one audit entry a minute per operator. */
const READ_COALESCE_MS = 60_000;

const StateSchema = z
  .object({
    stable: AnswerSettingsSchema.openapi({ description: "What conversations outside a release answer with (unset: the Worker's configuration)." }),
    version: z.number().int(),
    pending: AnswerSettingsSchema.nullable().openapi({ description: "Changes waiting for a release." }),
    release: z.object({ id: z.string(), percent: z.number().int(), changes: AnswerSettingsSchema.nullable() }).nullable().openapi({ description: "The open answer-setting release, if any." }),
    staged: z.boolean().optional().openapi({ description: "PUT: the changes wait for a release (KB_RELEASES=on)." }),
  })
  .openapi("AnswerSettingsState");

const read = createRoute({
  method: "get",
  path: "/v1/admin/settings/answers",
  tags,
  security,
  summary: "The answer settings: stable, pending, and the open release's",
  description: "Role: `admin`. Audited (settings.answers.read).",
  middleware: [audited("settings.answers.read", () => "answers", { coalesceMs: READ_COALESCE_MS }), admin] as const,
  responses: { 200: jsonResponse(StateSchema, "Settings"), ...errorResponses(401, 403, 503) },
});

const put = createRoute({
  method: "put",
  path: "/v1/admin/settings/answers",
  tags,
  security,
  summary: "Change answer settings (thresholds, generation, model, prompt)",
  description: "Only the fields given change. With KB_RELEASES=on they wait for a release (`POST /v1/admin/settings/releases`); off, they are live at once. Role: `admin`. Audited (settings.answers.update).",
  middleware: [audited("settings.answers.update", () => "answers"), admin, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: AnswerSettingsSchema } } } },
  responses: { 200: jsonResponse(StateSchema, "Settings after the change"), ...errorResponses(400, 401, 403, 413, 415, 503) },
});

export const adminSettings = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

async function state(config: AppEnv["Variables"]["config"]) {
  return onPrimary(config, async (db) => {
    const [settings, open] = await Promise.all([readSettings(db), openReleaseOf(db)]);
    const release = open?.kind === "settings" ? { id: open.id, percent: open.percent, changes: open.changes } : null;
    return { ...settings, release };
  });
}

adminSettings.openapi(read, async (c) => c.json(await state(c.var.config), 200));

adminSettings.openapi(put, async (c) => {
  const staged = c.var.config.releases;
  await onPrimary(c.var.config, (db) => putSettings(db, c.req.valid("json"), staged, Date.now()));
  if (!staged) {
    await releaseObject(c.env).refresh().catch(() => {});
    releaseViewChanged();
  }
  return c.json({ ...(await state(c.var.config)), staged }, 200);
});

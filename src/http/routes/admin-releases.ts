// The releases API: KB releases (/v1/admin/kb/releases, what waits for one at …/pending) and
// answer-setting releases (/v1/admin/settings/releases), the same routes for both kinds.
// ReleaseDO opens and closes them (one at a time; 409 release_open for a second); reads come
// from the primary's record, with the guard's live comparison for the open one. Every change
// is audited (kb.release.open|promote|rollback, settings.release.…); the guard's own as
// `system:guard`.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError, unwrap } from "../../errors.ts";
import { discardPending, pendingWrites } from "../../kb/staging.ts";
import { releaseObject, releaseViewChanged } from "../../platform/releases.ts";
import { AnswerSettingsSchema } from "../../releases/answer-settings.ts";
import { DEFAULT_GUARD, guardOf } from "../../releases/guard.ts";
import { getRelease, listReleases, type Release, type ReleaseKind } from "../../releases/repository.ts";
import { ARTICLE_ID } from "../../conversation/schemas.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { queryInt } from "../query.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const RELEASE_ID = /^rel_[0-9a-f]{16}$/;
const security = [{ bearerAuth: [] }];

const GuardSchema = z
  .strictObject({
    minConversations: z.number().int().min(1).max(100_000).optional().openapi({ description: `Conversations each arm needs before the guard decides (default ${DEFAULT_GUARD.minConversations}).` }),
    maxMinutes: z.number().positive().max(10_080).optional().openapi({ description: `Promote after this long when nothing regressed (default ${DEFAULT_GUARD.maxMinutes}).` }),
    autoPromote: z.boolean().optional().openapi({ description: "Promote at maxMinutes by itself (default true); false waits for a person." }),
    alpha: z
      .number()
      .min(0.0001)
      .max(0.2)
      .optional()
      .openapi({ description: `The chance of ever rolling back a release that is no worse, over all guarded metrics (default ${DEFAULT_GUARD.alpha}). Smaller asks for stronger evidence, so a regression takes a few more conversations to catch.` }),
  })
  .openapi("ReleaseGuard");

const ArmSchema = z.object({
  conversations: z.number().int(),
  turns: z.number().int(),
  answeredShare: z.number().nullable(),
  wrongAnswerRate: z.number().nullable(),
  clarificationPickRate: z.number().nullable(),
  handoffRate: z.number().nullable(),
  outOfScopeRate: z.number().nullable(),
  latencyMs: z.number().nullable(),
});

const ComparisonSchema = z.object({
  canary: ArmSchema,
  stable: ArmSchema,
  tests: z.array(
    z.object({
      metric: z.enum(["wrong", "handoff", "answered"]),
      canary: z.number().nullable(),
      stable: z.number().nullable(),
      regression: z.number().nullable(),
      lambda: z.number(),
      pValue: z.number().openapi({ description: "Always-valid p-value of the canary being worse." }),
      regressed: z.boolean(),
    }),
  ),
  at: z.string(),
});

const ReleaseSchema = z
  .object({
    id: z.string().openapi({ example: "rel_0123456789abcdef" }),
    kind: z.enum(["kb", "settings"]),
    state: z.enum(["canary", "promoted", "rolled_back"]),
    stableVersion: z.number().int(),
    candidateVersion: z.number().int(),
    percent: z.number().int(),
    guard: z.object({ minConversations: z.number().int(), maxMinutes: z.number(), autoPromote: z.boolean(), alpha: z.number() }),
    articles: z.number().int(),
    changes: AnswerSettingsSchema.nullable(),
    openedAt: z.string(),
    openedBy: z.string(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable().openapi({ description: "An operator id, or `system:guard` for the guard's own decision." }),
    reason: z.string().nullable(),
    comparison: ComparisonSchema.nullable().openapi({ description: "Canary against stable over the same period: conversations, answered share, wrong-answer rate, clarification pick rate, handoff rate, out-of-scope rate, latency; and each guarded metric's sequential test." }),
    guardDecision: z.string().optional().openapi({ description: "Open releases: what the guard would do now (wait, rollback, promote) and why." }),
    guardReason: z.string().optional(),
  })
  .openapi("Release");

const IdParam = z.object({ id: z.string().regex(RELEASE_ID, "id is rel_<16 hex>").openapi({ param: { name: "id", in: "path" }, example: "rel_0123456789abcdef" }) });

interface Kind {
  kind: ReleaseKind;
  base: string;
  action: string;
  tag: string;
  read: ReturnType<typeof operatorAuth>;
  write: ReturnType<typeof operatorAuth>;
  readRoles: string;
  writeRoles: string;
}

const KB: Kind = {
  kind: "kb",
  base: "/v1/admin/kb/releases",
  action: "kb.release",
  tag: "Admin: releases",
  read: operatorAuth("admin", "kb_editor", "ops_viewer"),
  write: operatorAuth("admin", "kb_editor"),
  readRoles: "Roles: `admin`, `kb_editor`, `ops_viewer`.",
  writeRoles: "Roles: `admin`, `kb_editor`. Audited.",
};

const SETTINGS: Kind = {
  kind: "settings",
  base: "/v1/admin/settings/releases",
  action: "settings.release",
  tag: "Admin: releases",
  read: operatorAuth("admin", "ops_viewer"),
  write: operatorAuth("admin"),
  readRoles: "Roles: `admin`, `ops_viewer`.",
  writeRoles: "Role: `admin`. Audited.",
};

/** A release with the guard's live view when it is open. */
async function withLive(env: Env, release: Release): Promise<Release & { guardDecision?: string; guardReason?: string }> {
  if (release.state !== "canary") return release;
  const live = await releaseObject(env).live(release.id).catch(() => null);
  return live ? { ...release, comparison: live.comparison, guardDecision: live.decision, guardReason: live.reason } : release;
}

export const adminReleases = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

for (const k of [KB, SETTINGS]) {
  const tags = [k.tag];
  const open = createRoute({
    method: "post",
    path: k.base,
    tags,
    security,
    summary: k.kind === "kb" ? "Open a canary release of every KB write since the stable version" : "Open a canary release of answer-setting changes",
    description: `A sticky share (\`percent\`) of new conversations answers from the candidate, the rest from stable; the guard compares them and rolls back or promotes by itself. One release at a time: another gets 409 \`release_open\`. ${k.writeRoles}`,
    middleware: [audited(`${k.action}.open`, chosenTarget), k.write, jsonBody] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema:
              k.kind === "kb"
                ? z.strictObject({ percent: z.number().int().min(1).max(100), guard: GuardSchema.optional() })
                : z.strictObject({ percent: z.number().int().min(1).max(100), guard: GuardSchema.optional(), changes: AnswerSettingsSchema.optional().openapi({ description: "The changes (else those pending from PUT /v1/admin/settings/answers)." }) }),
          },
        },
      },
    },
    responses: { 201: jsonResponse(ReleaseSchema, "Opened"), ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
  });
  const list = createRoute({
    method: "get",
    path: k.base,
    tags,
    security,
    summary: `List ${k.kind === "kb" ? "KB" : "answer-setting"} releases, latest first`,
    description: k.readRoles,
    middleware: [k.read] as const,
    request: { query: z.object({ limit: queryInt({ min: 1, max: 100, default: 20 }) }) },
    responses: { 200: jsonResponse(z.object({ releases: z.array(ReleaseSchema) }), "Releases"), ...errorResponses(400, 401, 403, 503) },
  });
  const read = createRoute({
    method: "get",
    path: `${k.base}/{id}`,
    tags,
    security,
    summary: "A release: its state, versions, share and the guard's comparison",
    description: k.readRoles,
    middleware: [k.read] as const,
    request: { params: IdParam },
    responses: { 200: jsonResponse(ReleaseSchema, "The release"), ...errorResponses(400, 401, 403, 404, 503) },
  });
  const closing = (to: "promote" | "rollback") =>
    createRoute({
      method: "post",
      path: `${k.base}/{id}/${to}`,
      tags,
      security,
      summary: to === "promote" ? "Promote the open release: the candidate becomes stable" : "Roll the open release back: its changes return to pending",
      description: k.writeRoles,
      middleware: [audited(`${k.action}.${to}`, paramTarget(RELEASE_ID)), k.write] as const,
      request: { params: IdParam },
      responses: { 200: jsonResponse(ReleaseSchema, to === "promote" ? "Promoted" : "Rolled back"), ...errorResponses(400, 401, 403, 404, 409, 503) },
    });

  adminReleases.openapi(open, async (c) => {
    const body = c.req.valid("json") as { percent: number; guard?: z.infer<typeof GuardSchema>; changes?: z.infer<typeof AnswerSettingsSchema> };
    const guard = guardOf(body.guard ?? {});
    const release = unwrap(await releaseObject(c.env).open(k.kind, { percent: body.percent, guard, openedBy: c.var.operator.id, changes: body.changes }));
    c.set("auditTarget", release.id);
    releaseViewChanged();
    return c.json(await withLive(c.env, release), 201);
  });

  adminReleases.openapi(list, async (c) => {
    const releases = await onPrimary(c.var.config, (db) => listReleases(db, k.kind, c.req.valid("query").limit));
    return c.json({ releases: await Promise.all(releases.map((r) => withLive(c.env, r))) }, 200);
  });

  // Registered after the other GETs of the base path (…/pending is not an id: the regex says so).
  adminReleases.openapi(read, async (c) => {
    const release = await onPrimary(c.var.config, (db) => getRelease(db, c.req.valid("param").id));
    if (!release || release.kind !== k.kind) throw new AppError("release_not_found");
    return c.json(await withLive(c.env, release), 200);
  });

  for (const to of ["promote", "rollback"] as const) {
    adminReleases.openapi(closing(to), async (c) => {
      const { id } = c.req.valid("param");
      const known = await onPrimary(c.var.config, (db) => getRelease(db, id));
      if (!known || known.kind !== k.kind) throw new AppError("release_not_found");
      const closed = unwrap(await releaseObject(c.env).close(id, { to: to === "promote" ? "promoted" : "rolled_back", by: c.var.operator.id, reason: `${to === "promote" ? "promoted" : "rolled back"} by hand` }));
      releaseViewChanged();
      return c.json(closed, 200);
    });
  }
}

const PendingSchema = z
  .object({
    id: z.string(),
    locale: z.string(),
    title: z.string(),
    status: z.enum(["draft", "published"]),
    deleted: z.boolean().openapi({ description: "A staged delete." }),
    updatedAt: z.number().int(),
    live: z.boolean().openapi({ description: "Whether customers see a stable version of the article now." }),
  })
  .openapi("PendingWrite");

const pending = createRoute({
  method: "get",
  path: "/v1/admin/kb/releases/pending",
  tags: [KB.tag],
  security,
  summary: "KB writes waiting for a release (the next one takes them all)",
  description: KB.readRoles,
  middleware: [KB.read] as const,
  responses: { 200: jsonResponse(z.object({ writes: z.array(PendingSchema) }), "Pending writes"), ...errorResponses(401, 403, 503) },
});

const discard = createRoute({
  method: "delete",
  path: "/v1/admin/kb/releases/pending",
  tags: [KB.tag],
  security,
  summary: "Discard pending KB writes (all, or one article's with ?id=)",
  description: `${KB.writeRoles} As kb.release.discard.`,
  middleware: [audited("kb.release.discard", chosenTarget), KB.write] as const,
  request: { query: z.object({ id: z.string().regex(ARTICLE_ID, "id is <locale>:<slug>").optional() }) },
  responses: { 200: jsonResponse(z.object({ discarded: z.number().int() }), "Discarded"), ...errorResponses(400, 401, 403, 503) },
});

/** The pending routes must match before `{id}`: a fresh app, mounted first. */
export const adminPending = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminPending.openapi(pending, async (c) => c.json({ writes: await onPrimary(c.var.config, pendingWrites) }, 200));

adminPending.openapi(discard, async (c) => {
  const { id } = c.req.valid("query");
  c.set("auditTarget", id ?? "all");
  return c.json({ discarded: await onPrimary(c.var.config, (db) => discardPending(db, id)) }, 200);
});

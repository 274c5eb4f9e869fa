// The admin KB API: articles are written to the primary only, then the regional replicas
// are pinged to pull the change. With KB_RELEASES=on and a stable KB, a write is staged
// instead (`staged: true`): it reaches customers through a release (admin-releases.ts). Reads admit admin, kb_editor and ops_viewer; writes admin
// and kb_editor. Every write is audited (kb.article.create|update|publish|delete, kb.sync),
// refusals for the role included; reads are not: articles are published content, not
// customer data, and the status page is polled. Reading a replica's whole copy (admin, to
// rebuild a lost primary) is audited as kb.replica.export, when the primary can record it.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ArticleInputSchema, articleId } from "../../kb/article.ts";
import { deleteArticle, getArticle, kbHead, listArticles, saveArticle, updateArticle, type KbDatabase } from "../../kb/articles.ts";
import { hasStable, latestArticle, stageArticle, stageDelete, stageUpdate } from "../../kb/staging.ts";
import type { Config } from "../../config.ts";
import { allReplicas, pingReplicas, replicaOf } from "../../platform/replicas.ts";
import { closeGapsOf } from "../../platform/region-ops.ts";
import { shardsOf, type ReplicaAddress } from "../../kb/shards.ts";
import { REGIONS } from "../../edge/regions.ts";
import { AppError } from "../../errors.ts";
import { ARTICLE_ID } from "../../conversation/schemas.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { queryInt } from "../query.ts";
import { ArticlePatchSchema, ArticleSchema, ArticleSummarySchema, KbStatusSchema, ReplicaArticlesSchema, ReplicaStatusSchema } from "../kb-schemas.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

/** KB reads: editors and ops viewers; writes: editors. */
const kbRead = operatorAuth("admin", "kb_editor", "ops_viewer");
const kbWrite = operatorAuth("admin", "kb_editor");
const READ_ROLES = "Roles: `admin`, `kb_editor`, `ops_viewer`.";
const WRITE_ROLES = "Roles: `admin`, `kb_editor`. Audited.";

const tags = ["Admin: knowledge base"];
const security = [{ bearerAuth: [] }];
const articleTarget = paramTarget(ARTICLE_ID);
const REGION = new RegExp(`^(${REGIONS.join("|")})$`);
const IdParam = z.object({
  id: z
    .string()
    .regex(ARTICLE_ID, "id is <locale>:<slug>")
    .openapi({ param: { name: "id", in: "path" }, example: "en:refund-time" }),
});

const list = createRoute({
  method: "get",
  path: "/v1/admin/kb/articles",
  tags,
  security,
  summary: "List live articles",
  description: READ_ROLES,
  middleware: [kbRead] as const,
  request: {
    query: z.object({
      locale: z.string().max(35).optional(),
      status: z.enum(["draft", "published"]).optional(),
      after: z.string().max(200).optional().openapi({ description: "Return articles whose id sorts after this one." }),
      limit: queryInt({ min: 1, max: 500, default: 100 }),
    }),
  },
  responses: { 200: jsonResponse(z.object({ articles: z.array(ArticleSummarySchema), nextAfter: z.string().nullable() }), "A page of articles"), ...errorResponses(400, 401, 403, 503) },
});

const create = createRoute({
  method: "post",
  path: "/v1/admin/kb/articles",
  tags,
  security,
  summary: "Create an article (draft unless status says otherwise)",
  description: WRITE_ROLES,
  middleware: [audited("kb.article.create", chosenTarget), kbWrite, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: ArticleInputSchema } } } },
  responses: { 201: jsonResponse(ArticleSchema, "Created"), ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
});

const read = createRoute({
  method: "get",
  path: "/v1/admin/kb/articles/{id}",
  tags,
  security,
  summary: "Read an article",
  description: READ_ROLES,
  middleware: [kbRead] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(ArticleSchema, "The article"), ...errorResponses(400, 401, 403, 404, 503) },
});

const update = createRoute({
  method: "patch",
  path: "/v1/admin/kb/articles/{id}",
  tags,
  security,
  summary: "Update an article",
  description: WRITE_ROLES,
  middleware: [audited("kb.article.update", articleTarget), kbWrite, jsonBody] as const,
  request: { params: IdParam, body: { required: true, content: { "application/json": { schema: ArticlePatchSchema } } } },
  responses: { 200: jsonResponse(ArticleSchema, "Updated"), ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
});

const publish = createRoute({
  method: "post",
  path: "/v1/admin/kb/articles/{id}/publish",
  tags,
  security,
  summary: "Publish an article (replicas serve published articles only)",
  description: WRITE_ROLES,
  middleware: [audited("kb.article.publish", articleTarget), kbWrite] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(ArticleSchema, "Published"), ...errorResponses(400, 401, 403, 404, 503) },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/admin/kb/articles/{id}",
  tags,
  security,
  summary: "Delete an article (a tombstone tells the replicas)",
  description: WRITE_ROLES,
  middleware: [audited("kb.article.delete", articleTarget), kbWrite] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ id: z.string(), deleted: z.literal(true), staged: z.boolean() }), "Deleted (staged: waits for a release)"), ...errorResponses(400, 401, 403, 404, 503) },
});

const sync = createRoute({
  method: "post",
  path: "/v1/admin/kb/sync",
  tags,
  security,
  summary: "Ask every regional replica (or one) to pull changes now",
  description: WRITE_ROLES,
  middleware: [audited("kb.sync", chosenTarget), kbWrite] as const,
  request: { query: z.object({ region: z.enum(REGIONS).optional() }) },
  responses: { 200: jsonResponse(z.object({ replicas: z.array(ReplicaStatusSchema) }), "Each replica's state after its pull"), ...errorResponses(401, 403) },
});

const replicaArticles = createRoute({
  method: "get",
  path: "/v1/admin/kb/replicas/{region}/articles",
  tags,
  security,
  summary: "Read a region's replica copy of the published articles (to rebuild a lost primary)",
  description:
    "Pages through the articles the region's replica (shard 0) holds, by id, with when it last synced. Works while the primary is down: `npm run restore -- --from-replica <region>` rebuilds a primary from it when every snapshot is lost. Role: `admin`. Audited (when the primary can record it).",
  middleware: [audited("kb.replica.export", paramTarget(REGION, "region")), operatorAuth("admin")] as const,
  request: {
    params: z.object({ region: z.enum(REGIONS).openapi({ param: { name: "region", in: "path" }, example: "weur" }) }),
    query: z.object({ after: z.string().max(200).optional().openapi({ description: "Return articles whose id sorts after this one." }), limit: queryInt({ min: 1, max: 500, default: 200 }) }),
  },
  responses: { 200: jsonResponse(ReplicaArticlesSchema, "A page of the replica's articles"), ...errorResponses(400, 401, 403) },
});

const status = createRoute({
  method: "get",
  path: "/v1/admin/kb/status",
  tags,
  security,
  summary: "Primary version and each replica's version and lag",
  description: READ_ROLES,
  middleware: [kbRead] as const,
  responses: { 200: jsonResponse(KbStatusSchema, "KB status"), ...errorResponses(401, 403) },
});

export const adminKb = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** Whether writes wait for a release: KB_RELEASES=on and the KB has a stable version (the first import goes live). */
async function staging(config: Config, db: Parameters<typeof hasStable>[0]): Promise<boolean> {
  return config.releases && (await hasStable(db));
}

/** After a write: a live one closes its gaps and tells the replicas; a staged one waits for its release. */
async function written(c: { env: Env; var: AppEnv["Variables"]; executionCtx: { waitUntil(p: Promise<unknown>): void } }, article: { status: string; tags: string[]; staged: boolean }): Promise<void> {
  if (article.staged) return;
  await closeAnsweredGaps(c, article);
  c.executionCtx.waitUntil(pingReplicas(c.env, allReplicas(c.var.config.replicaShards)));
}

/** A published article made from KB gaps (`gap:` tags) closes them before the response. */
async function closeAnsweredGaps(c: { env: Env; var: AppEnv["Variables"] }, article: { status: string; tags: string[] }): Promise<void> {
  if (article.status === "published") await closeGapsOf(c.env, c.var.config, article.tags);
}

adminKb.openapi(list, async (c) => {
  const q = c.req.valid("query");
  const articles = await onPrimary(c.var.config, (db) => listArticles(db, q));
  return c.json({ articles, nextAfter: articles.length === q.limit ? articles[articles.length - 1]!.id : null }, 200);
});

adminKb.openapi(create, async (c) => {
  const input = c.req.valid("json");
  c.set("auditTarget", articleId(input.slug, input.locale));
  const article = await onPrimary(c.var.config, async (db) => {
    const existing = await latestArticle(db, articleId(input.slug, input.locale));
    if (existing && existing.deletedAt === null) throw new AppError("article_exists");
    return (await staging(c.var.config, db)) ? stageArticle(db, input, Date.now()) : { ...(await saveArticle(db, input, Date.now())), staged: false };
  });
  await written(c, article);
  return c.json(article, 201);
});

adminKb.openapi(read, async (c) => {
  const article = await onPrimary(c.var.config, (db) => latestArticle(db, c.req.valid("param").id));
  if (!article || article.deletedAt !== null) throw new AppError("article_not_found");
  return c.json(article, 200);
});

/** Changes an article, staged or live; null when there is no such article. */
function change(config: Config, id: string, patch: Parameters<typeof updateArticle>[2]) {
  return onPrimary(config, async (db) => {
    if (await staging(config, db)) return stageUpdate(db, id, patch, Date.now());
    const article = await updateArticle(db, id, patch, Date.now());
    return article && { ...article, staged: false };
  });
}

adminKb.openapi(update, async (c) => {
  const article = await change(c.var.config, c.req.valid("param").id, c.req.valid("json"));
  if (!article) throw new AppError("article_not_found");
  await written(c, article);
  return c.json(article, 200);
});

adminKb.openapi(publish, async (c) => {
  const article = await change(c.var.config, c.req.valid("param").id, { status: "published" });
  if (!article) throw new AppError("article_not_found");
  await written(c, article);
  return c.json(article, 200);
});

adminKb.openapi(remove, async (c) => {
  const { id } = c.req.valid("param");
  const staged = await onPrimary(c.var.config, async (db) => {
    const stage = await staging(c.var.config, db);
    if (!(await (stage ? stageDelete(db, id, Date.now()) : deleteArticle(db, id, Date.now())))) throw new AppError("article_not_found");
    return stage;
  });
  if (!staged) c.executionCtx.waitUntil(pingReplicas(c.env, allReplicas(c.var.config.replicaShards)));
  return c.json({ id, deleted: true as const, staged }, 200);
});

/** A replica's status with the region and shard it serves. */
const statusOf = async (env: Env, address: ReplicaAddress, call: "sync" | "status") => ({ ...(await replicaOf(env, address)[call]()), ...address });

adminKb.openapi(sync, async (c) => {
  const { region } = c.req.valid("query");
  c.set("auditTarget", region ?? "all");
  const { replicaShards } = c.var.config;
  const addresses = region ? shardsOf(region, replicaShards(region)) : allReplicas(replicaShards);
  // Each replica pulls one bounded chunk now and goes on by itself (see `sync` in the status).
  const replicas = await Promise.all(addresses.map((a) => statusOf(c.env, a, "sync")));
  return c.json({ replicas }, 200);
});

adminKb.openapi(status, async (c) => {
  const head = await onPrimary(c.var.config, kbHead).catch(() => null);
  const replicas = await Promise.all(allReplicas(c.var.config.replicaShards).map((a) => statusOf(c.env, a, "status")));
  return c.json(
    {
      primary: { reachable: head !== null, version: head?.version ?? null, epoch: head?.epoch ?? null },
      replicas: replicas.map((r) => ({
        ...r,
        versionsBehind: head === null ? null : Math.max(0, head.version - r.kbVersion),
        inSync: head === null ? null : r.epoch === head.epoch && r.kbVersion === head.version && r.sync.state === "idle",
      })),
    },
    200,
  );
});

adminKb.openapi(replicaArticles, async (c) => {
  const { region } = c.req.valid("param");
  const { after, limit } = c.req.valid("query");
  const page = await replicaOf(c.env, { region, shard: 0 }).exportPage(after ?? "", limit);
  return c.json({ ...page, replica: { ...page.replica, region } }, 200);
});

// Editors' view of learned questions (src/kb/learning): list them, approve or reject them,
// teach one directly, delete one. Roles admin and kb_editor; every call is audited (the list
// is redacted customer words: reads coalesce per operator like the gap report's). A change
// replicas see takes a KB version, and the replicas are pinged to pull it. EU conversations'
// candidates (ids `lqeu_…`) wait in the LearnedEuDO and are listed beside the primary's; an
// approval moves their words to the primary, a rejection or deletion removes them there.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { EU_ID_PREFIX, LEARNED_STATUSES, VOTE_SOURCES } from "../../kb/learning/learned.ts";
import { adoptLearned, deleteLearned, learnedCounts, listLearned, reviewLearned, teachLearned, type LearnedQuestion } from "../../kb/learning/questions.ts";
import { languageOf } from "../../kb/text/tokens.ts";
import { learnedEu } from "../../platform/learning.ts";
import { ArticleIdSchema, LocaleSchema, TextSchema } from "../../conversation/schemas.ts";
import { allReplicas, pingReplicas } from "../../platform/replicas.ts";
import { redact } from "../../privacy/redact.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { queryInt } from "../query.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const editors = operatorAuth("admin", "kb_editor");
const ROLES = "Roles: `admin`, `kb_editor`. Audited.";
const tags = ["Admin: knowledge base"];
const security = [{ bearerAuth: [] }];
const LEARNED_ID = /^lq(eu)?_[0-9a-f]{16}$/;
const READ_COALESCE_MS = 15 * 60_000;

const IdParam = z.object({ id: z.string().regex(LEARNED_ID, "id is lq_ (or lqeu_) and 16 hex digits").openapi({ param: { name: "id", in: "path" }, example: "lq_0123456789abcdef" }) });

export const LearnedQuestionSchema = z
  .object({
    id: z.string(),
    articleId: z.string(),
    locale: z.string(),
    text: z.string().openapi({ description: "The customer's question, redacted; never shown to other customers." }),
    status: z.enum(LEARNED_STATUSES),
    confirmations: z.number().int(),
    notHelpful: z.number().int(),
    sources: z.record(z.enum(VOTE_SOURCES), z.number().int()),
    firstSeen: z.string(),
    lastSeen: z.string(),
    eu: z.boolean().optional().openapi({ description: "From EU conversations: the words wait in the EU until an editor approves them." }),
  })
  .openapi("LearnedQuestion");

const list = createRoute({
  method: "get",
  path: "/v1/admin/kb/learned",
  tags,
  security,
  summary: "List learned questions",
  description: `Customers' questions learned as new wordings of articles, most recently seen first. ${ROLES}`,
  middleware: [audited("kb.learned.read", () => "-", { coalesceMs: READ_COALESCE_MS }), editors] as const,
  request: {
    query: z.object({
      status: z.enum(LEARNED_STATUSES).optional(),
      locale: LocaleSchema.optional(),
      articleId: ArticleIdSchema.optional(),
      limit: queryInt({ min: 1, max: 500, default: 100 }),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(LearnedQuestionSchema) }), "Learned questions"), ...errorResponses(400, 401, 403, 503) },
});

const stats = createRoute({
  method: "get",
  path: "/v1/admin/kb/learned/stats",
  tags,
  security,
  summary: "Learned questions per language: learned this week, active, candidates, rejected",
  description: `For the ops dashboard. ${ROLES}`,
  middleware: [audited("kb.learned.read", () => "stats", { coalesceMs: READ_COALESCE_MS }), editors] as const,
  responses: {
    200: jsonResponse(
      z.object({ languages: z.array(z.object({ language: z.string(), learnedThisWeek: z.number().int().openapi({ description: "Active questions first asked in the last 7 days." }), active: z.number().int(), candidates: z.number().int(), rejected: z.number().int() })) }),
      "Per language",
    ),
    ...errorResponses(401, 403, 503),
  },
});

const WEEK_MS = 7 * 86_400_000;

const review = (action: "approve" | "reject") =>
  createRoute({
    method: "post",
    path: `/v1/admin/kb/learned/{id}/${action}`,
    tags,
    security,
    summary: action === "approve" ? "Approve a learned question (it turns active)" : "Reject a learned question (it never turns active)",
    description: ROLES,
    middleware: [audited(`kb.learned.${action}`, paramTarget(LEARNED_ID)), editors] as const,
    request: { params: IdParam },
    responses: { 200: jsonResponse(LearnedQuestionSchema, "The question after review"), ...errorResponses(400, 401, 403, 404, 503) },
  });

const teach = createRoute({
  method: "post",
  path: "/v1/admin/kb/learned",
  tags,
  security,
  summary: "Teach a question directly",
  description: `The text is redacted like a customer's, and the question is active at once (an editor's approval). ${ROLES}`,
  middleware: [audited("kb.learned.teach", chosenTarget), editors, jsonBody] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.strictObject({ articleId: ArticleIdSchema, locale: LocaleSchema, text: TextSchema }).openapi("TeachLearned") } },
    },
  },
  responses: { 201: jsonResponse(LearnedQuestionSchema, "Learned"), ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/admin/kb/learned/{id}",
  tags,
  security,
  summary: "Delete a learned question",
  description: `Its words and votes are removed; replicas stop training on it. ${ROLES}`,
  middleware: [audited("kb.learned.delete", paramTarget(LEARNED_ID)), editors] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.object({ id: z.string(), deleted: z.literal(true) }), "Deleted"), ...errorResponses(400, 401, 403, 404, 503) },
});

export const adminLearned = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** Replicas pull a change they see at once rather than at their next interval. */
function ping(c: { env: Env; var: AppEnv["Variables"]; executionCtx: { waitUntil(p: Promise<unknown>): void } }): void {
  c.executionCtx.waitUntil(pingReplicas(c.env, allReplicas(c.var.config.replicaShards)));
}

const isEu = (id: string) => id.startsWith(EU_ID_PREFIX);

adminLearned.openapi(stats, async (c) => {
  const rows = await onPrimary(c.var.config, (db) => learnedCounts(db, Date.now() - WEEK_MS));
  const byLanguage = new Map<string, { language: string; learnedThisWeek: number; active: number; candidates: number; rejected: number }>();
  for (const r of rows) {
    const language = languageOf(r.locale);
    const entry = byLanguage.get(language) ?? { language, learnedThisWeek: 0, active: 0, candidates: 0, rejected: 0 };
    if (r.status === "active") {
      entry.active += r.count;
      entry.learnedThisWeek += Number(r.recent ?? 0);
    } else if (r.status === "candidate") entry.candidates += r.count;
    else entry.rejected += r.count;
    byLanguage.set(language, entry);
  }
  return c.json({ languages: [...byLanguage.values()] }, 200);
});

adminLearned.openapi(list, async (c) => {
  const { config } = c.var;
  const query = c.req.valid("query");
  const primary = await onPrimary(config, (db) => listLearned(db, query));
  // EU candidates are never active: they are listed unless another status is asked for.
  const eu = query.status === "active" ? [] : await learnedEu(c.env, config).list(query).catch(() => [] as LearnedQuestion[]);
  const items = [...primary, ...eu.filter((q) => !query.status || q.status === query.status)].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, query.limit);
  return c.json({ items }, 200);
});

/** An EU candidate approved: its words and votes move to the primary, then leave the EU object. */
async function approveEu(c: { env: Env; var: AppEnv["Variables"] }, id: string): Promise<LearnedQuestion | null> {
  const { config } = c.var;
  const eu = learnedEu(c.env, config);
  const candidate = await eu.get(id);
  if (!candidate) return null;
  const adopted = await onPrimary(config, (db) => adoptLearned(db, candidate, config.learn, Date.now()));
  if (!adopted) throw new AppError("article_not_found");
  await eu.remove(id);
  return adopted;
}

for (const action of ["approve", "reject"] as const) {
  adminLearned.openapi(review(action), async (c) => {
    const { config } = c.var;
    const { id } = c.req.valid("param");
    let question: LearnedQuestion | null;
    if (!isEu(id)) question = await onPrimary(config, (db) => reviewLearned(db, id, action === "approve" ? "approved" : "rejected", config.learn));
    else if (action === "approve") question = await approveEu(c, id);
    else {
      // A rejected EU candidate's words are not kept anywhere.
      const held = (await learnedEu(c.env, config).get(id))?.question ?? null;
      question = held && (await learnedEu(c.env, config).remove(id)) ? { ...held, status: "rejected" } : null;
    }
    if (!question) throw new AppError("learned_question_not_found");
    ping(c);
    return c.json(question, 200);
  });
}

adminLearned.openapi(teach, async (c) => {
  const { config, operator } = c.var;
  const input = c.req.valid("json");
  c.set("auditTarget", input.articleId);
  const question = await onPrimary(config, (db) => teachLearned(db, { ...input, text: redact(input.text).text, operatorId: operator.id }, config.learn, Date.now()));
  if (!question) throw new AppError("article_not_found");
  ping(c);
  return c.json(question, 201);
});

adminLearned.openapi(remove, async (c) => {
  const { id } = c.req.valid("param");
  const deleted = isEu(id) ? await learnedEu(c.env, c.var.config).remove(id) : await onPrimary(c.var.config, (db) => deleteLearned(db, id, Date.now()));
  if (!deleted) throw new AppError("learned_question_not_found");
  ping(c);
  return c.json({ id, deleted: true as const }, 200);
});

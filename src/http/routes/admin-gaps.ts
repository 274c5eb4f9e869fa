// The KB gap report (kb_editor, admin): questions the bot could not answer, answered with low
// confidence, or that were marked not helpful, clustered per language in each region and
// merged across regions. A draft article made from a gap carries its questions as example
// questions — none from an EU conversation: the KB primary has no jurisdiction — and a
// `gap:<ref>` tag per member; publishing it closes those gaps (admin-kb.ts).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { ArticleIdSchema, LocaleSchema } from "../../conversation/schemas.ts";
import { teachLearned } from "../../kb/learning/questions.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { LearnedQuestionSchema } from "./admin-learned.ts";
import { REGIONS } from "../../edge/regions.ts";
import { AppError } from "../../errors.ts";
import { articleId, type ArticleInput } from "../../kb/article.ts";
import { getArticle, saveArticle } from "../../kb/articles.ts";
import { languageOf } from "../../kb/text/tokens.ts";
import { findGap, GAP_REF_PATTERN, mergeGaps, parseGapRef, type MergedGap, type RegionGaps } from "../../ops/gap-merge.ts";
import { draftFromGap } from "../../ops/gaps.ts";
import { configuredPrimary } from "../../platform/primary.ts";
import { GAP_TAG_PREFIX, gapsOfTags, readRegions } from "../../platform/region-ops.ts";
import { allReplicas, pingReplicas } from "../../platform/replicas.ts";
import { validationHook } from "../../validation.ts";
import { audited } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { GAP_ROLES } from "./ops.ts";
import { ArticleSchema } from "../kb-schemas.ts";
import { GapSchema } from "../ops-schemas.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: knowledge base"];
const security = [{ bearerAuth: [] }];
const editors = operatorAuth(...GAP_ROLES);
/** The dashboard polls the gap list every 30 s: one operator's reads within 15 minutes are one audit entry. */
const GAPS_READ_COALESCE_MS = 15 * 60_000;
const WINDOW_MS = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000 } as const;
/** A draft carries at most this many gap tags (an article has at most 20 tags; one is `kb-gap`). */
const MAX_GAP_TAGS = 19;

/** The placeholder answer of a draft: the editor writes the real one before publishing. */
const DRAFT_ANSWER: Record<string, string> = {
  zh: "（草稿：来自知识库缺口报告。请在发布前填写答案。）",
  en: "(Draft from the KB gap report: write the answer before publishing.)",
};

const list = createRoute({
  method: "get",
  path: "/v1/admin/kb/gaps",
  tags,
  security,
  summary: "The KB gap report: unanswered, low-confidence and not-helpful questions, clustered",
  middleware: [audited("kb.gaps.read", () => "-", { coalesceMs: GAPS_READ_COALESCE_MS }), editors] as const,
  request: {
    query: z.object({
      locale: LocaleSchema.optional().openapi({ description: "Gaps of this locale's language (en, zh-CN …); absent: every language." }),
      window: z.enum(["1h", "24h", "7d"]).default("7d").openapi({ description: "Gaps with a question in this window." }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: { 200: jsonResponse(z.object({ gaps: z.array(GapSchema) }), "Gaps, largest first"), ...errorResponses(400, 401, 403) },
});

const draft = createRoute({
  method: "post",
  path: "/v1/admin/kb/gaps/{id}/draft",
  tags,
  security,
  summary: "Create a draft article from a gap, with its questions as example questions",
  description: "The title and example questions come only from the gap's `draftable` examples; a gap asked only in EU conversations gets a neutral title and no questions, for the editor to write.",
  middleware: [audited("kb.gaps.draft", (c) => c.req.param("id") ?? "-"), editors] as const,
  request: { params: z.object({ id: z.string().regex(GAP_REF_PATTERN, "id is a gap reference such as weur.gap_en_0123456789abcdef").openapi({ param: { name: "id", in: "path" } }) }) },
  responses: { 201: jsonResponse(z.object({ article: ArticleSchema, gap: GapSchema }), "The draft article"), ...errorResponses(400, 401, 403, 404, 409, 503) },
});

const belongs = createRoute({
  method: "post",
  path: "/v1/admin/kb/gaps/{id}/belongs",
  tags,
  security,
  summary: "Say a gap belongs to an existing article: its questions become learned questions of it",
  description:
    "Most misunderstood questions are new wordings of existing articles, not new topics. The gap's `draftable` examples (never EU conversations' words) are taught to the article as learned questions (active at once, an editor's approval), and the gap is closed.",
  middleware: [audited("kb.gaps.belongs", (c) => c.req.param("id") ?? "-"), editors, jsonBody] as const,
  request: {
    params: z.object({ id: z.string().regex(GAP_REF_PATTERN, "id is a gap reference such as weur.gap_en_0123456789abcdef").openapi({ param: { name: "id", in: "path" } }) }),
    body: { required: true, content: { "application/json": { schema: z.strictObject({ articleId: ArticleIdSchema }).openapi("GapBelongs") } } },
  },
  responses: { 200: jsonResponse(z.object({ articleId: z.string(), learned: z.array(LearnedQuestionSchema), closed: z.number().int() }), "Taught, and the gap closed"), ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
});

export const adminGaps = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

async function report(c: { env: Env; var: AppEnv["Variables"] }, filter: { language?: string; since?: number }, limit: number): Promise<MergedGap[]> {
  const answered = await readRegions(c.env, c.var.config, (stub, region) => stub.gaps(region, filter), REGIONS);
  // A profile's [token, count] pairs lose their tuple type over RPC; the values are the same.
  return mergeGaps(answered.map((r) => r.value as unknown as RegionGaps), { limit });
}

adminGaps.openapi(list, async (c) => {
  const { locale, window, limit } = c.req.valid("query");
  const gaps = await report(c, { language: locale ? languageOf(locale) : undefined, since: Date.now() - WINDOW_MS[window] }, limit);
  return c.json({ gaps }, 200);
});

adminGaps.openapi(draft, async (c) => {
  const ref = c.req.valid("param").id;
  const parsed = parseGapRef(ref)!;
  const language = /^gap_([a-z]+)_/.exec(parsed.id)?.[1];
  const gap = findGap(await report(c, { language }, 500), ref);
  if (!gap) throw new AppError("gap_not_found");
  if (gap.draft) throw new AppError("gap_has_draft");
  const { gapId: _gapId, ...fields } = draftFromGap(gap);
  const input: ArticleInput = {
    ...fields,
    answer: DRAFT_ANSWER[gap.language] ?? DRAFT_ANSWER.en!,
    tags: ["kb-gap", ...gap.members.slice(0, MAX_GAP_TAGS).map((m) => `${GAP_TAG_PREFIX}${m}`)],
  };
  const { config } = c.var;
  const db = configuredPrimary(config);
  let article;
  try {
    input.slug = await freeSlug(input.slug, (slug) => getArticle(db, articleId(slug, input.locale)));
    article = await saveArticle(db, input, Date.now());
  } catch (err) {
    console.error(JSON.stringify({ level: "error", code: "primary_unavailable", kind: (err as Error).name }));
    throw new AppError("primary_unavailable");
  }
  const byRegion = gapsOfTags(input.tags);
  await readRegions(c.env, config, (stub, region) => stub.markDraft(region, byRegion.get(region) ?? [], article.id), [...byRegion.keys()]);
  c.executionCtx.waitUntil(pingReplicas(c.env, allReplicas(config.replicaShards)));
  return c.json({ article, gap: { ...gap, draft: article.id } }, 201);
});

adminGaps.openapi(belongs, async (c) => {
  const ref = c.req.valid("param").id;
  const { articleId: target } = c.req.valid("json");
  const language = /^gap_([a-z]+)_/.exec(parseGapRef(ref)!.id)?.[1];
  const gap = findGap(await report(c, { language }, 500), ref);
  if (!gap) throw new AppError("gap_not_found");
  const { config, operator } = c.var;
  const db = configuredPrimary(config);
  const article = await getArticle(db, target).catch(() => {
    throw new AppError("primary_unavailable");
  });
  if (!article || article.deletedAt !== null) throw new AppError("article_not_found");
  const learned = [];
  for (const text of gap.draftable) {
    const taught = await teachLearned(db, { articleId: target, locale: article.locale, text, operatorId: operator.id }, config.learn, Date.now()).catch(() => {
      throw new AppError("primary_unavailable");
    });
    if (taught) learned.push(taught);
  }
  const byRegion = gapsOfTags(gap.members.map((m) => `${GAP_TAG_PREFIX}${m}`));
  const closed = await readRegions(c.env, config, (stub, region) => stub.closeGaps(region, byRegion.get(region) ?? []), [...byRegion.keys()]);
  c.executionCtx.waitUntil(pingReplicas(c.env, allReplicas(config.replicaShards)));
  return c.json({ articleId: target, learned, closed: closed.reduce((n, r) => n + r.value, 0) }, 200);
});

/** The slug, or the first of slug-2, slug-3 … that no live article of the locale has. */
async function freeSlug(slug: string, existing: (slug: string) => Promise<{ deletedAt: number | null } | null>): Promise<string> {
  for (let n = 1; n <= 50; n++) {
    const candidate = n === 1 ? slug : `${slug.slice(0, 95)}-${n}`;
    const found = await existing(candidate);
    if (!found || found.deletedAt !== null) return candidate;
  }
  return `${slug.slice(0, 80)}-${Date.now().toString(36)}`;
}

// OpenAPI shapes of the admin KB API.
import { z } from "@hono/zod-openapi";
import { ArticleFields } from "../kb/article.ts";

export const ArticleSchema = z
  .object({
    id: z.string().openapi({ example: "en:refund-time" }),
    slug: z.string(),
    locale: z.string(),
    title: z.string(),
    answer: z.string(),
    questions: z.array(z.string()),
    tags: z.array(z.string()),
    status: z.enum(["draft", "published"]),
    version: z.number().int(),
    updatedAt: z.number().int(),
    deletedAt: z.number().int().nullable(),
    staged: z.boolean().optional().openapi({ description: "True when this is a write waiting for a release (KB_RELEASES=on): customers see it only through one." }),
  })
  .openapi("Article");

export const ArticleSummarySchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    locale: z.string(),
    title: z.string(),
    status: z.enum(["draft", "published"]),
    tags: z.array(z.string()),
    version: z.number().int(),
    updatedAt: z.number().int(),
    questionCount: z.number().int(),
  })
  .openapi("ArticleSummary");

export const ArticlePatchSchema = z
  .strictObject(ArticleFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, "at least one field must change")
  .openapi("ArticlePatch");

export const ReplicaStatusSchema = z
  .object({
    region: z.string(),
    shard: z.number().int().openapi({ description: "The region's replica shard (REPLICA_SHARDS); 0 is the first." }),
    sync: z.object({
      state: z.enum(["idle", "syncing"]),
      stagedChanges: z.number().int().openapi({ description: "Changes pulled so far by the sync under way; they become visible all at once when it ends (a sync too large to apply at once builds a new copy beside the live one and swaps it in)." }),
      stagedVersion: z.number().int().nullable(),
      startedAt: z.string().nullable(),
    }),
    kbVersion: z.number().int(),
    epoch: z.number().int().openapi({ description: "The primary's epoch the copy came from; a restore of the primary starts a new one, and replicas then resync whole." }),
    primaryVersion: z.number().int(),
    lagSeconds: z.number().int().nullable().openapi({ description: "Seconds since the last successful sync; null before the first." }),
    stale: z.boolean(),
    lastSyncAt: z.string().nullable(),
    primaryReachable: z.boolean(),
    articles: z.number().int(),
    learned: z.number().int().openapi({ description: "Active learned questions the replica trains on (learning from confirmations)." }),
    sizeBytes: z.number().int(),
    failures: z.number().int(),
    lastError: z.string().nullable(),
    training: z.array(z.string()).openapi({ description: "Languages whose classifiers are waiting to be trained again after a sync." }),
    embeddings: z
      .object({ space: z.string().openapi({ description: "Provider and model the vectors are in." }), articles: z.number().int().openapi({ description: "Articles holding current vectors (title, example and learned questions)." }) })
      .nullable()
      .openapi({ description: "Semantic signals (EMBEDDINGS_PROVIDER); null when off." }),
  })
  .openapi("ReplicaStatus");

export const KbStatusSchema = z
  .object({
    primary: z.object({ reachable: z.boolean(), version: z.number().int().nullable(), epoch: z.number().int().nullable() }),
    replicas: z.array(
      ReplicaStatusSchema.extend({
        versionsBehind: z.number().int().nullable(),
        inSync: z.boolean().nullable().openapi({ description: "Same epoch and version as the primary, no sync under way; null while the primary cannot be reached." }),
      }),
    ),
  })
  .openapi("KbStatus");

export const ReplicaArticlesSchema = z
  .object({
    replica: z.object({
      region: z.string(),
      kbVersion: z.number().int(),
      epoch: z.number().int(),
      lastSyncAt: z.string().nullable().openapi({ description: "Changes made to the primary after this are not in the copy." }),
      stale: z.boolean(),
    }),
    articles: z.array(ArticleSchema.omit({ deletedAt: true, status: true }).extend({ status: z.literal("published") })),
    nextAfter: z.string().nullable(),
  })
  .openapi("ReplicaArticles");

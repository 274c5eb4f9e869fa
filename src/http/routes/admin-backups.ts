// Backups of the KB primary in R2 (admin only): the list the scheduled job keeps — the names
// `npm run restore -- --from r2:<name>` takes, and how old the newest is — and a backup on
// demand (before a risky change), audited as kb.backup. Listing is not audited: it reads
// manifests, never their contents.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { backupToBucket, listBackups, listingOf } from "../../platform/backup-bucket.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { queryInt } from "../query.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: backups"];
const security = [{ bearerAuth: [] }];

const BackupSchema = z
  .object({
    name: z.string().openapi({ example: "kb-20260105T120000.000Z-v1284" }),
    createdAt: z.string().openapi({ format: "date-time", description: "Nothing written to the primary after this is in the backup." }),
    kbVersion: z.number().int(),
    auditSeq: z.number().int().openapi({ description: "The audit chain's head seq it was stamped with (0: empty log)." }),
    bytes: z.number().int(),
    sha256: z.string(),
  })
  .openapi("Backup");

const list = createRoute({
  method: "get",
  path: "/v1/admin/backups",
  tags,
  security,
  summary: "The KB primary's backups in R2, newest first",
  description: "Role: `admin`.",
  middleware: [operatorAuth("admin")] as const,
  request: { query: z.object({ limit: queryInt({ min: 1, max: 1000, default: 50 }) }) },
  responses: { 200: jsonResponse(z.object({ backups: z.array(BackupSchema) }), "The backups"), ...errorResponses(400, 401, 403, 500) },
});

const create = createRoute({
  method: "post",
  path: "/v1/admin/backups",
  tags,
  security,
  summary: "Back up the KB primary to R2 now",
  description: "What the hourly cron does, on demand. Role: `admin`. Audited as `kb.backup`.",
  middleware: [audited("kb.backup", chosenTarget), operatorAuth("admin")] as const,
  responses: { 201: jsonResponse(BackupSchema, "The backup written"), ...errorResponses(401, 403, 500, 503) },
});

export const adminBackups = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

function bucketOf(env: Env): R2Bucket {
  if (!env.BACKUP_BUCKET) throw new AppError("server_misconfigured");
  return env.BACKUP_BUCKET;
}

adminBackups.openapi(list, async (c) => c.json({ backups: await listBackups(bucketOf(c.env), c.req.valid("query").limit) }, 200));

adminBackups.openapi(create, async (c) => {
  const bucket = bucketOf(c.env);
  const { manifest } = await backupToBucket(bucket, c.var.config, Date.now()).catch(() => {
    throw new AppError("primary_unavailable");
  });
  c.set("auditTarget", manifest.name);
  return c.json(listingOf(manifest), 201);
});

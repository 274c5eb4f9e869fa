// The audit log, a page at a time (admin only): who did what to which id, with the hash
// chain that `npm run audit -- verify` checks. Reading it is not itself audited: it changes
// nothing and holds no customer data, and a read that wrote an entry would grow the log
// under its own reader.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { auditPage } from "../../operators/repository.ts";
import { OUTCOMES } from "../../privacy/audit-chain.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { queryInt } from "../query.ts";
import { errorResponses } from "../schemas.ts";

const AuditEntrySchema = z
  .object({
    seq: z.number().int().openapi({ description: "1 for the first entry, then consecutive." }),
    at: z.string().openapi({ format: "date-time" }),
    actor: z.string().openapi({ description: "An operator id, or `break-glass` for ADMIN_API_KEY." }),
    role: z.string(),
    action: z.string().openapi({ example: "kb.article.update" }),
    target: z.string().openapi({ description: "An id (operator, article, conversation), or `-`." }),
    outcome: z.enum(OUTCOMES),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEntry");

const page = createRoute({
  method: "get",
  path: "/v1/admin/audit",
  tags: ["Admin: operators"],
  security: [{ bearerAuth: [] }],
  summary: "Page through the audit log, oldest first",
  description: "Roles: `admin`. Pass the last page's `nextAfter` as `after` to go on; `nextAfter` is null on the last page.",
  middleware: [operatorAuth("admin")] as const,
  request: {
    query: z.object({
      after: queryInt({ min: 0, max: Number.MAX_SAFE_INTEGER, default: 0, description: "Return entries with seq greater than this." }),
      limit: queryInt({ min: 1, max: 500, default: 100 }),
    }),
  },
  responses: {
    200: { description: "A page of the log", content: { "application/json": { schema: z.object({ entries: z.array(AuditEntrySchema), nextAfter: z.number().int().nullable() }) } } },
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

export const adminAudit = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminAudit.openapi(page, async (c) => {
  const { after, limit } = c.req.valid("query");
  const entries = await onPrimary(c.var.config, (db) => auditPage(db, after, limit));
  return c.json({ entries, nextAfter: entries.length === limit ? entries.at(-1)!.seq : null }, 200);
});

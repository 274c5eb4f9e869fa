// Admin API authentication: `Authorization: Bearer <ADMIN_API_KEY>`. No key → 401, a wrong
// key → 403. Roles come later.
import { createMiddleware } from "hono/factory";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.var.config.adminApiKey;
  if (expected.length < 16) throw new AppError("server_misconfigured");
  const header = c.req.header("authorization");
  if (!header) throw new AppError("unauthorized");
  const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
  if (!(await sameSecret(given, expected))) throw new AppError("forbidden");
  await next();
});

/** Compares secrets in constant time (by comparing their digests). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(a)), crypto.subtle.digest("SHA-256", enc.encode(b))]);
  return crypto.subtle.timingSafeEqual(da, db);
}

// Operator authentication: `Authorization: Bearer <key>` with an operator key (verified at
// the edge through a short-lived cache, src/auth/operator-cache.ts) or the break-glass
// ADMIN_API_KEY. Each route names the roles it admits: no key → 401, an unknown or revoked
// key → 401, a key without the role → 403.
import { createMiddleware } from "hono/factory";
import { OperatorCache, resolveOperator, type CachedOperator } from "../../auth/operator-cache.ts";
import { hashOperatorKey, isOperatorKey } from "../../auth/operator-key.ts";
import { checkRole, type OperatorRole } from "../../auth/roles.ts";
import { AppError } from "../../errors.ts";
import { operatorByKeyHash } from "../../operators/repository.ts";
import { openPrimary } from "../../platform/primary.ts";
import { currentFaults } from "../../resilience/faults.ts";
import type { AppEnv } from "../context.ts";

/** The operator behind ADMIN_API_KEY: for bootstrapping and emergencies. */
export const BREAK_GLASS: CachedOperator = { id: "break-glass", name: "break-glass admin", role: "admin", team: null };

const cache = new OperatorCache();

/** Forgets an operator on this isolate at once (after a rotation or revocation here). */
export function forgetOperator(operatorId: string): void {
  cache.forgetOperator(operatorId);
}

/** The bearer credential of a request, if any (`""` when the header is malformed). */
export function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
}

/** Resolves an operator key to its operator; throws the AppError the caller should see. */
export async function operatorForKey(config: AppEnv["Variables"]["config"], key: string): Promise<CachedOperator> {
  if (config.adminApiKey.length >= 16 && (await sameSecret(key, config.adminApiKey))) return BREAK_GLASS;
  if (!isOperatorKey(key)) throw new AppError("operator_key_invalid");
  const faults = () => currentFaults(config.devMode, config.faultsAtStart).primaryDown;
  const resolved = await resolveOperator(cache, await hashOperatorKey(key), Date.now(), (hash) => operatorByKeyHash(openPrimary(config.primary, faults), hash));
  if (!resolved.ok) throw new AppError(resolved.code);
  return resolved.operator;
}

/** Admits operators whose role is one of `roles`; sets `c.var.operator`. */
export function operatorAuth(...roles: OperatorRole[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = bearer(c.req.header("authorization"));
    if (key === undefined) throw new AppError("unauthorized");
    const operator = await operatorForKey(c.var.config, key);
    // Set before the role check, so that an audited route records who was refused.
    c.set("operator", operator);
    if (!checkRole(operator.role, roles).allowed) throw new AppError("forbidden");
    await next();
  });
}

/** Compares secrets in constant time (by comparing their digests). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", enc.encode(a)), crypto.subtle.digest("SHA-256", enc.encode(b))]);
  return crypto.subtle.timingSafeEqual(da, db);
}

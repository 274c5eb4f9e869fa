// The audit trail of what operators do: every admin, KB and operator action and every
// access to customer data appends an entry (src/operators/repository.ts, hash-chained) to
// the primary. Targets are ids, never customer text.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { CachedOperator } from "../auth/operator-cache.ts";
import { logAuditFailure, type AuditOutcome } from "../privacy/audit-chain.ts";
import { appendAudit } from "../operators/repository.ts";
import { configuredPrimary } from "../platform/primary.ts";
import type { AppEnv } from "./context.ts";

/**
 * Appends an entry for the calling operator. Access to customer data must be traceable, so
 * a caller that cannot go on without a record awaits it and lets a failure surface; the
 * returned promise rejects when the primary cannot be reached.
 */
export function audit(c: Context<AppEnv>, action: string, target: string, outcome: AuditOutcome): Promise<void> {
  const { config, operator } = c.var;
  const db = configuredPrimary(config);
  return appendAudit(db, { actor: operator.id, role: operator.role, action, target, outcome }, Date.now()).then(() => undefined);
}

/** How many recent reads `audited` remembers per isolate to coalesce repeats (oldest dropped first). */
const RECENT_LIMIT = 1_000;
const recent = new Map<string, number>();

/** Whether an ok read under this key was recorded within `windowMs` of `now`. */
const recordedWithin = (key: string, windowMs: number, now: number) => now - (recent.get(key) ?? -Infinity) < windowMs;

function noteRecorded(key: string, now: number): void {
  recent.delete(key);
  recent.set(key, now);
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
}

export interface AuditedOptions {
  /**
   * A read repeated by the same operator on the same target within this many ms is one
   * entry (per isolate): a dashboard that polls a list must not flood the trail. Denied
   * and failed requests are always recorded.
   */
  coalesceMs?: number;
}

/**
 * Audits a route: after it ran, records `action` on the target `target(c)` names, with
 * outcome ok (2xx), denied (4xx: refused for its role, invalid, not found) or failed (5xx).
 * Place it BEFORE the operator auth middleware, so that a key refused for its role (403) is
 * recorded too; a request with no valid key (401) is not, since it names no operator (and
 * anyone could fill the log with them). A failed audit write is logged without data and
 * does not undo the action.
 */
export function audited(action: string, target: (c: Context<AppEnv>) => string = () => "-", options: AuditedOptions = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const operator = c.get("operator") as CachedOperator | undefined;
    if (!operator) return;
    const status = c.res.status;
    const outcome: AuditOutcome = status < 400 ? "ok" : status < 500 ? "denied" : "failed";
    const on = target(c);
    const key = `${operator.id}\u0000${action}\u0000${on}`;
    const coalesce = options.coalesceMs !== undefined && outcome === "ok";
    if (coalesce && recordedWithin(key, options.coalesceMs!, Date.now())) return;
    await audit(c, action, on, outcome).then(
      () => {
        if (coalesce) noteRecorded(key, Date.now());
      },
      (err: unknown) => logAuditFailure(action, err),
    );
  });
}

/** The target a handler chose (`c.set("auditTarget", id)`), else `-` (refused before it ran). */
export const chosenTarget = (c: Context<AppEnv>): string => c.var.auditTarget ?? "-";

/** A path parameter (`:id` unless named) as the target, when it is well formed; else `-`. */
export function paramTarget(pattern: RegExp, name = "id"): (c: Context<AppEnv>) => string {
  return (c) => {
    const value = c.req.param(name);
    return value !== undefined && pattern.test(value) ? value : "-";
  };
}

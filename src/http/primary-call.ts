// Calls the KB primary for a route: a primary that cannot be reached is a 503
// (primary_unavailable), logged by code only, never a crash or a 500.
import type { Config } from "../config.ts";
import { AppError } from "../errors.ts";
import type { KbDatabase } from "../kb/articles.ts";
import { configuredPrimary } from "../platform/primary.ts";

/** Runs `fn` on the primary; AppErrors pass through, anything else becomes primary_unavailable. */
export async function onPrimary<T>(config: Config, fn: (db: KbDatabase) => Promise<T>): Promise<T> {
  try {
    return await fn(configuredPrimary(config));
  } catch (err) {
    if (err instanceof AppError) throw err;
    console.error(JSON.stringify({ level: "error", code: "primary_unavailable", kind: (err as Error).name }));
    throw new AppError("primary_unavailable");
  }
}

// Turns a zod failure into an AppError: field paths and rule messages only, never values.
import type { z } from "@hono/zod-openapi";
import { AppError, type ErrorCode } from "./errors.ts";

/** Maps zod issues to `unknown_field` (extra keys) or the given validation code. */
export function validationError(error: z.ZodError, code: ErrorCode = "validation_failed"): AppError {
  const details = error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.map(String).join(".") || "(root)";
    if (issue.code === "unrecognized_keys") return { path, issue: `unknown field(s): ${issue.keys.join(", ")}` };
    return { path, issue: issue.message };
  });
  const unknown = error.issues.some((i) => i.code === "unrecognized_keys");
  return new AppError(unknown ? "unknown_field" : code, details);
}

/** The zod-openapi `defaultHook`: every failed validation becomes the one error format. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError }): void {
  if (!result.success) throw validationError(result.error);
}

// Development-only routes answer 404 unless the dev flag (HOLDFAST_DEV=1) is set, which no
// production configuration does.
import { createMiddleware } from "hono/factory";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

export const devOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.config.devMode) throw new AppError("not_found");
  await next();
});

// The Worker's HTTP application: one Hono app, one error handler, the OpenAPI document.
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { readConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { validationHook } from "../validation.ts";
import { asset } from "../platform/assets.ts";
import type { AppEnv } from "./context.ts";
import { location } from "./middleware/location.ts";
import { perAdminIp, perAdminKey, perClientIp, perIpConversationStarts } from "./middleware/rate-limit.ts";
import { apiCors, securityHeaders } from "./middleware/security.ts";
import { adminAudit } from "./routes/admin-audit.ts";
import { adminBackups } from "./routes/admin-backups.ts";
import { adminCanned } from "./routes/admin-canned.ts";
import { adminConversations } from "./routes/admin-conversations.ts";
import { adminGaps } from "./routes/admin-gaps.ts";
import { adminKb } from "./routes/admin-kb.ts";
import { adminPending, adminReleases } from "./routes/admin-releases.ts";
import { adminSettings } from "./routes/admin-settings.ts";
import { adminKeys } from "./routes/admin-keys.ts";
import { adminLearned } from "./routes/admin-learned.ts";
import { adminSubjects } from "./routes/admin-subjects.ts";
import { adminOperators } from "./routes/admin-operators.ts";
import { adminWebhooks } from "./routes/admin-webhooks.ts";
import { agent } from "./routes/agent.ts";
import { conversationHandoff } from "./routes/conversation-handoff.ts";
import { conversations } from "./routes/conversations.ts";
import { dev } from "./routes/dev.ts";
import { faults } from "./routes/faults.ts";
import { health } from "./routes/health.ts";
import { topics } from "./routes/topics.ts";
import { metrics } from "./routes/metrics.ts";
import { ops } from "./routes/ops.ts";

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use("*", async (c, next) => {
    c.set("config", readConfig(c.env));
    await next();
  });
  app.use("*", securityHeaders);
  app.use("/v1/*", apiCors);
  app.use("*", location);
  app.use("/v1/conversations", perClientIp, perIpConversationStarts);
  app.use("/v1/conversations/*", perClientIp);
  app.use("/v1/topics", perClientIp);
  app.use("/v1/admin/*", perAdminIp, perAdminKey);
  app.use("/v1/agent/*", perAdminIp, perAdminKey);
  app.use("/v1/ops/*", perAdminIp, perAdminKey);
  app.use("/metrics", perAdminIp, perAdminKey);

  app.route("/", health);
  app.route("/", conversations);
  app.route("/", conversationHandoff);
  app.route("/", agent);
  app.route("/", topics);
  app.route("/", adminKb);
  app.route("/", adminPending);
  app.route("/", adminReleases);
  app.route("/", adminSettings);
  app.route("/", adminLearned);
  app.route("/", adminSubjects);
  app.route("/", adminConversations);
  app.route("/", adminKeys);
  app.route("/", adminOperators);
  app.route("/", adminAudit);
  app.route("/", adminBackups);
  app.route("/", adminGaps);
  app.route("/", adminCanned);
  app.route("/", adminWebhooks);
  app.route("/", metrics);
  app.route("/", ops);
  app.route("/", dev);
  app.route("/", faults);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Holdfast API",
      version: "1",
      description: "Customer-service chat at the edge. Errors are always `{ error: { code, message } }` with a stable code.",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });

  // Pages and scripts come from Workers static assets (/docs serves docs.html, the API reference).
  // Anything else is a JSON 405 (a route with other methods) or 404.
  const allowed = methodsByPath(app);
  app.notFound(async (c) => {
    const methods = allowed(c.req.path);
    if (methods.length) return c.json(new AppError("method_not_allowed").toBody(), 405, { Allow: methods.join(", ") });
    if (!c.req.path.startsWith("/v1/") && ["GET", "HEAD"].includes(c.req.method)) {
      const res = await asset(c.env, c.req.raw);
      if (res.status !== 404) return res;
    }
    return c.json(new AppError("not_found").toBody(), 404);
  });

  app.onError((err, c) => {
    if (err instanceof AppError) {
      if (err.status >= 500) console.error(JSON.stringify({ level: "error", code: err.code, path: c.req.routePath }));
      return c.json(err.toBody(), err.status as 400, err.headers);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ error: { code: "validation_failed", message: "The request could not be read." } }, err.status);
    }
    // Only the error's class and our route go to the log: messages may quote input.
    console.error(JSON.stringify({ level: "error", code: "internal_error", kind: err.name, path: c.req.routePath }));
    return c.json(new AppError("internal_error").toBody(), 500);
  });

  return app;
}

/** The methods the app's routes answer on a path (none: no such route). */
function methodsByPath(app: OpenAPIHono<AppEnv>): (path: string) => string[] {
  let routes: Array<{ pattern: RegExp; method: string }> | null = null;
  return (path) => {
    // Built on first use: by then every route is registered.
    routes ??= app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+/g, "[^/]+")}$`) }));
    const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}


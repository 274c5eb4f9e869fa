// Security headers and CORS. Pages may be framed only by the configured origins (so the
// widget embeds there and nowhere else); the API answers cross-origin calls from them.
import { createMiddleware } from "hono/factory";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../context.ts";

type Middleware = ReturnType<typeof secureHeaders>;

/** The headers for pages framed by `ancestors`; the widget script's are loaded cross-origin. */
function headersFor(ancestors: string[], widget: boolean): Middleware {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ancestors,
    },
    // frame-ancestors above replaces X-Frame-Options, which cannot list several origins.
    xFrameOptions: false,
    // The widget script is loaded by other sites' pages.
    crossOriginResourcePolicy: widget ? "cross-origin" : "same-origin",
    referrerPolicy: "strict-origin-when-cross-origin",
  });
}

/**
 * The middlewares, built once per set of allowed origins (the configuration an isolate
 * reads): building one costs more than applying it, and every request needs one.
 */
const built = new Map<string, Middleware>();
function once(key: string, build: () => Middleware): Middleware {
  let m = built.get(key);
  if (!m) built.set(key, (m = build()));
  return m;
}

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  const origins = c.var.config.allowedOrigins;
  const widget = c.req.path === "/widget.js";
  return once(`headers|${widget}|${origins.join(" ")}`, () => headersFor(["'self'", ...origins], widget))(c, next);
});

export const apiCors = createMiddleware<AppEnv>(async (c, next) => {
  const origins = c.var.config.allowedOrigins;
  return once(`cors|${origins.join(" ")}`, () =>
    cors({
      origin: (origin) => (origins.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
      allowHeaders: ["Content-Type", "Authorization", "Accept"],
      exposeHeaders: ["Retry-After", "RateLimit", "RateLimit-Policy"],
      maxAge: 600,
    }),
  )(c, next);
});

/** Whether a WebSocket's Origin may connect: none (not a browser), our own, or allowed. */
export function originAllowed(origin: string | undefined, requestUrl: string, allowed: string[]): boolean {
  if (!origin) return true;
  return origin === new URL(requestUrl).origin || allowed.includes(origin);
}

// Authenticates a request for one conversation before its Durable Object is reached: the
// id must be well formed and the bearer token signed for exactly this id.
import { createMiddleware } from "hono/factory";
import { requireToken } from "../../auth/token.ts";
import { requireSecret } from "../../config.ts";
import { AUTH_PROTOCOL_PREFIX } from "../../conversation/socket-protocol.ts";
import { conversationAt, CONVERSATION_ID } from "../../conversation/address.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

export const conversationAuth = createMiddleware<AppEnv>(async (c, next) => {
  const id = c.req.param("id") ?? "";
  if (!CONVERSATION_ID.test(id)) throw new AppError("conversation_not_found");
  const secret = requireSecret(c.var.config);
  await requireToken(secret, id, bearerToken(c.req.raw.headers), Math.floor(Date.now() / 1000));
  const address = conversationAt(c.env.CONVERSATION, id, c.var.config.jurisdictions);
  if (!address) throw new AppError("conversation_not_found");
  c.set("conversation", { id, stub: c.env.CONVERSATION.get(address.objectId) });
  await next();
});

/**
 * The token from `Authorization: Bearer`, or for browser WebSockets, which cannot set
 * headers, from a `holdfast.auth.<token>` entry in `Sec-WebSocket-Protocol`.
 */
export function bearerToken(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? "";
  const offered = (headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith(AUTH_PROTOCOL_PREFIX))?.slice(AUTH_PROTOCOL_PREFIX.length);
}

// Authenticates a request for one conversation before its Durable Object is reached: the
// id must be well formed and the bearer token signed for exactly this id.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { requireToken } from "../../auth/token.ts";
import { requireSecret } from "../../config.ts";
import { CONVERSATION_ID } from "../../conversation/address.ts";
import { protocolToken } from "../../conversation/protocol.ts";
import { conversationStub, findConversation } from "../../platform/conversations.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../context.ts";

export const conversationAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("conversation", await authorizedConversation(c, c.req.param("id") ?? ""));
  await next();
});

/** The conversation `id` when the request's bearer token is signed for exactly it; throws otherwise. */
export async function authorizedConversation(c: Context<AppEnv>, id: string): Promise<AppEnv["Variables"]["conversation"]> {
  if (!CONVERSATION_ID.test(id)) throw new AppError("conversation_not_found");
  const secret = requireSecret(c.var.config);
  await requireToken(secret, id, bearerToken(c.req.raw.headers), Math.floor(Date.now() / 1000));
  const address = findConversation(c.env, id, c.var.config.jurisdictions);
  if (!address) throw new AppError("conversation_not_found");
  return { id, stub: conversationStub(c.env, address) };
}

/**
 * The token from `Authorization: Bearer`, or for browser WebSockets, which cannot set
 * headers, from a `holdfast.auth.<token>` entry in `Sec-WebSocket-Protocol`.
 */
export function bearerToken(headers: Headers): string | undefined {
  const auth = headers.get("authorization");
  if (auth) return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? "";
  return protocolToken(headers.get("sec-websocket-protocol"));
}

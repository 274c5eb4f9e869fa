// Authenticates an agent console or script by its session token (POST /v1/agent/session),
// from `Authorization: Bearer` or, for browser WebSockets, the `holdfast.auth.<token>`
// subprotocol. Sets `c.var.agent`, and `c.var.operator` so that reads are audited under the
// operator. A conversation token or an operator key is not a session: 401 token_invalid.
import { createMiddleware } from "hono/factory";
import { requireAgentToken } from "../../auth/agent-token.ts";
import { requireSecret } from "../../config.ts";
import type { AppEnv } from "../context.ts";
import { bearerToken } from "./conversation-auth.ts";

export const agentAuth = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await requireAgentToken(requireSecret(c.var.config), bearerToken(c.req.raw.headers), Math.floor(Date.now() / 1000));
  const { exp: _exp, ...agent } = claims;
  c.set("agent", agent);
  c.set("operator", { id: agent.id, name: agent.name, role: agent.role, team: agent.team });
  await next();
});

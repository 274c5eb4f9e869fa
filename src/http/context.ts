// The Hono environment every route and middleware shares.
import type { AgentIdentity } from "../auth/agent-token.ts";
import type { CachedOperator } from "../auth/operator-cache.ts";
import type { Config } from "../config.ts";
import type { Jurisdiction } from "../edge/region.ts";
import type { Region } from "../edge/regions.ts";
import type { ConversationDO } from "../../durable-objects/conversation.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    /** Where the request comes from (src/http/middleware/location.ts). */
    location: { region: Region; jurisdiction: Jurisdiction | null };
    /** Set by the conversation auth middleware once the token checked out. */
    conversation: { id: string; stub: DurableObjectStub<ConversationDO> };
    /** Set by the operator auth middleware: who is calling, with which role. */
    operator: CachedOperator;
    /** Set by a handler whose audit target is known only once it ran (the id it created). */
    auditTarget?: string;
    /** Set by the agent session middleware (with `operator`, for the audit log). */
    agent: AgentIdentity;
  };
}

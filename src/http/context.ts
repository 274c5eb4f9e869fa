// The Hono environment every route and middleware shares.
import type { Config } from "../config.ts";
import type { ConversationDO } from "../../durable-objects/conversation.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    /** Set by the conversation auth middleware once the token checked out. */
    conversation: { id: string; stub: DurableObjectStub<ConversationDO> };
  };
}

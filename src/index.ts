// Worker entry point: the HTTP app and the Durable Object classes it binds.
import { createApp } from "./http/app.ts";

export { AgentDeskDO } from "../durable-objects/agent-desk.ts";
export { BenchFloorDO } from "../durable-objects/bench-floor.ts";
export { ConversationDO } from "../durable-objects/conversation.ts";
export { KeyRegistryDO } from "../durable-objects/key-registry.ts";
export { KnowledgeReplicaDO } from "../durable-objects/knowledge-replica.ts";
export { LearnedEuDO } from "../durable-objects/learned-eu.ts";
export { RegionLimiterDO } from "../durable-objects/region-limiter.ts";
export { RegionOpsDO } from "../durable-objects/region-ops.ts";
export { SubjectIndexDO } from "../durable-objects/subject-index.ts";

export default createApp() satisfies ExportedHandler<Env>;

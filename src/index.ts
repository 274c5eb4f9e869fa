// Worker entry point: the HTTP app, the email handler, the scheduled backup of the KB primary
// (the cron in wrangler.toml) and the Durable Object classes they bind.
import { readConfig } from "./config.ts";
import { createApp } from "./http/app.ts";
import { scheduledBackup } from "./platform/backup-bucket.ts";
import { receiveMail } from "./platform/mail-intake.ts";

export { AgentDeskDO } from "../durable-objects/agent-desk.ts";
export { BenchFloorDO } from "../durable-objects/bench-floor.ts";
export { ConversationDO } from "../durable-objects/conversation.ts";
export { DevMailboxDO } from "../durable-objects/dev-mailbox.ts";
export { EmailThreadDO } from "../durable-objects/email-thread.ts";
export { KeyRegistryDO } from "../durable-objects/key-registry.ts";
export { KnowledgeReplicaDO } from "../durable-objects/knowledge-replica.ts";
export { LearnedEuDO } from "../durable-objects/learned-eu.ts";
export { ReleaseDO } from "../durable-objects/release.ts";
export { RegionLimiterDO } from "../durable-objects/region-limiter.ts";
export { RegionOpsDO } from "../durable-objects/region-ops.ts";
export { SubjectIndexDO } from "../durable-objects/subject-index.ts";
export { WebhookDO } from "../durable-objects/webhooks.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  // Mail to EMAIL_SUPPORT_ADDRESS and reply+<token>@ its domain (README: Email).
  email: (message, env) => receiveMail(message, env),
  scheduled: (controller, env, ctx) => ctx.waitUntil(scheduledBackup(env, readConfig(env), controller.scheduledTime)),
} satisfies ExportedHandler<Env>;

// The email channel's platform side: sending through the send_email binding (and, in
// development, recording what was sent in the DevMailboxDO), and the thread map's shards
// (EmailThreadDO). Every other part of the channel is pure (src/email/).
import type { DevMailboxDO } from "../../durable-objects/dev-mailbox.ts";
import type { EmailThreadDO } from "../../durable-objects/email-thread.ts";
import type { Config } from "../config.ts";
import { shardOf } from "../edge/hash.ts";
import type { OutgoingMail } from "../email/outgoing.ts";
import { currentFaults } from "../resilience/faults.ts";

/** Shards of the thread map. */
export const THREAD_SHARDS = 16;

/** One sent mail as GET /v1/dev/email/outbox lists it. */
export interface SentMail {
  to: string;
  from: string;
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  text: string;
  conversationId: string;
  sentAt: string;
}

/** Sends a mail; resolves with the Message-ID the email service gave it, once it accepted the mail. */
export async function sendMail(env: Env, config: Config, mail: OutgoingMail): Promise<{ messageId: string }> {
  if (currentFaults(config.devMode, config.faultsAtStart).mailDown) throw new Error("fault mail-down");
  const to: EmailAddress | string = mail.to.name ? { email: mail.to.email, name: mail.to.name } : mail.to.email;
  const { messageId } = await env.EMAIL.send({ from: mail.from, to, replyTo: mail.replyTo, subject: mail.subject, text: mail.text, headers: mail.headers });
  return { messageId };
}

/** In development, records a sent mail in the development outbox (after it was marked sent: never a reason to send it again). */
export async function recordSent(env: Env, config: Config, mail: OutgoingMail, conversationId: string, messageId: string): Promise<void> {
  if (config.devMode) {
    const item: SentMail = {
      to: mail.to.email,
      from: mail.from.email,
      subject: mail.subject,
      messageId,
      inReplyTo: mail.headers["In-Reply-To"] ?? null,
      references: mail.headers.References ? mail.headers.References.split(" ") : [],
      text: mail.text,
      conversationId,
      sentAt: new Date().toISOString(),
    };
    await devMailbox(env)
      .record(item)
      .catch((err: Error) => console.error(JSON.stringify({ level: "warn", code: "dev_mailbox_failed", kind: err.name })));
  }
}

/** The development outbox. */
export function devMailbox(env: Env): DurableObjectStub<DevMailboxDO> {
  return env.DEV_MAILBOX.get(env.DEV_MAILBOX.idFromName("outbox"));
}

function threadShard(env: Env, key: string): DurableObjectStub<EmailThreadDO> {
  return env.EMAIL_THREADS.get(env.EMAIL_THREADS.idFromName(`threads:${shardOf(key, THREAD_SHARDS)}`));
}

/** The conversations the thread map knows for these keys (asking each shard once). */
export async function findThreads(env: Env, keys: string[]): Promise<Map<string, string>> {
  const byShard = new Map<number, string[]>();
  for (const key of new Set(keys)) {
    const shard = shardOf(key, THREAD_SHARDS);
    byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
  }
  const found = await Promise.all([...byShard.values()].map((group) => threadShard(env, group[0]!).find(group)));
  return new Map(found.flatMap((part) => Object.entries(part)));
}

/** Binds a thread key to a conversation unless bound already; the conversation it is bound to. */
export function claimThread(env: Env, key: string, conversationId: string): Promise<string> {
  return threadShard(env, key).claim(key, conversationId, Date.now());
}

// Webhook subscriptions in the KB primary, through drizzle. The signing secret is made here,
// returned once, and stored sealed: its own AES-GCM data key, wrapped by the master keyring
// and bound to the subscription's id (src/privacy/envelope.ts), so neither the primary nor a
// backup of it holds a usable secret. A key under an older master key is rewrapped when read.
import { asc, eq, isNull, or } from "drizzle-orm";
import type { KbDatabase } from "../kb/articles.ts";
import { webhooks, type WebhookRow } from "../kb/schema.ts";
import { createDataKey, kidOf, open, rewrap, seal, unwrapDataKey, type Keyring } from "../privacy/envelope.ts";
import { isWebhookEventType, type WebhookEventType } from "./events.ts";
import type { StoredSubscription, Subscription } from "./subscriptions.ts";

/** Subscriptions a deployment keeps; one more is refused (too_many_webhooks). */
export const MAX_WEBHOOKS = 50;

export interface WebhookInput {
  url: string;
  events: WebhookEventType[];
  team?: string | null;
  includeText?: boolean;
}

export interface Sources {
  now: number;
  random: (n: number) => Uint8Array;
  /** The operator who creates it. */
  actor: string;
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const keyContext = (id: string) => `webhook:${id}`;
const secretAad = (id: string) => `webhook:${id}:secret`;

function toSubscription(row: WebhookRow): Subscription {
  return { id: row.id, url: row.url, events: row.events.filter(isWebhookEventType), team: row.team, includeText: row.includeText, createdAt: row.createdAt };
}

/** Adds a subscription with a new secret: `whsec_` and 64 hex digits, in the result and nowhere else in the clear. */
export async function createWebhook(db: KbDatabase, ring: Keyring, input: WebhookInput, sources: Sources): Promise<{ subscription: Subscription; secret: string }> {
  const id = `wh_${hex(sources.random(8))}`;
  const secret = `whsec_${hex(sources.random(32))}`;
  const { key, wrapped } = await createDataKey(ring, keyContext(id));
  const row: WebhookRow = {
    id,
    url: input.url,
    events: [...new Set(input.events)],
    team: input.team ?? null,
    includeText: input.includeText ?? false,
    secretKey: wrapped,
    secret: await seal(key, secret, secretAad(id)),
    createdAt: sources.now,
    createdBy: sources.actor,
  };
  await db.insert(webhooks).values(row);
  return { subscription: toSubscription(row), secret };
}

export async function countWebhooks(db: KbDatabase): Promise<number> {
  return (await db.select({ id: webhooks.id }).from(webhooks)).length;
}

/** Every subscription, oldest first, without secrets. */
export async function listWebhooks(db: KbDatabase): Promise<Subscription[]> {
  return (await db.select().from(webhooks).orderBy(asc(webhooks.createdAt), asc(webhooks.id))).map(toSubscription);
}

/** Removes a subscription; what it was (its team), or null when there is none with that id. */
export async function deleteWebhook(db: KbDatabase, id: string): Promise<{ team: string | null } | null> {
  const [row] = await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ team: webhooks.team });
  return row ?? null;
}

/** The subscriptions that take a team's events, secrets still sealed; keys under an older master key are rewrapped on the way. */
export async function storedWebhooksOf(db: KbDatabase, ring: Keyring, team: string): Promise<StoredSubscription[]> {
  const rows = await db
    .select()
    .from(webhooks)
    .where(or(isNull(webhooks.team), eq(webhooks.team, team)))
    .orderBy(asc(webhooks.createdAt), asc(webhooks.id));
  const out: StoredSubscription[] = [];
  for (const row of rows) {
    let secretKey = row.secretKey;
    if (kidOf(secretKey) !== ring.current && kidOf(secretKey) !== null && ring.keys.has(kidOf(secretKey)!)) {
      secretKey = await rewrap(ring, secretKey, keyContext(row.id));
      await db.update(webhooks).set({ secretKey }).where(eq(webhooks.id, row.id));
    }
    out.push({ ...toSubscription(row), secretKey, secret: row.secret });
  }
  return out;
}

/** The signing secret of a stored subscription; throws EnvelopeError when its key cannot be opened. */
export async function openSecret(ring: Keyring, sub: StoredSubscription): Promise<string> {
  return open(await unwrapDataKey(ring, sub.secretKey, keyContext(sub.id)), sub.secret, secretAad(sub.id));
}

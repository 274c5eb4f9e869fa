// WebhookDO: one per team (and per jurisdiction: EU conversations' events stay in the EU).
// Glue only: it keeps the team's outbox of webhook deliveries in SQLite and works it off on
// its alarm — each delivery a signed POST (src/platform/webhook.ts), retried with backoff
// (src/webhooks/delivery.ts) until the receiver answers 2xx. It reads the team's subscriptions
// from the KB primary every WEBHOOK_INTEREST_MS while in use and keeps the last list, so
// deliveries go on while the primary is down.
import { DurableObject } from "cloudflare:workers";
import { webhookMigrations } from "../migrations/webhooks/index.ts";
import { readConfig, type Config } from "../src/config.ts";
import { configuredPrimary } from "../src/platform/primary.ts";
import { postSigned } from "../src/platform/webhook.ts";
import { WEBHOOK_INTEREST_MS } from "../src/platform/webhook-outbox.ts";
import { withTimeout } from "../src/resilience/breaker.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import { afterAttempt, BATCH, MAX_PENDING } from "../src/webhooks/delivery.ts";
import { webhookBody, type WebhookEvent } from "../src/webhooks/events.ts";
import { openSecret, storedWebhooksOf } from "../src/webhooks/repository.ts";
import { interestOf, receives, type Interest, type StoredSubscription } from "../src/webhooks/subscriptions.ts";
import { checkWebhookUrl } from "../src/webhooks/url.ts";
import { WebhookStore, type Delivery } from "./webhook-store.ts";

const warn = (code: string, extra: Record<string, unknown> = {}) => console.warn(JSON.stringify({ level: "warn", code, ...extra }));

export class WebhookDO extends DurableObject<Env> {
  private readonly store: WebhookStore;
  private readonly config: Config;
  private known: { list: StoredSubscription[]; fetchedAt: number } | null;
  private reading: Promise<StoredSubscription[]> | null = null;
  /** Opened signing secrets, by subscription id and wrapped key. */
  private readonly secrets = new Map<string, string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, webhookMigrations);
    this.store = new WebhookStore(ctx.storage.sql);
    this.config = readConfig(env);
    this.known = this.store.subscriptions();
  }

  /** What the team's subscriptions want (senders remember it for a while). */
  async interest(team: string): Promise<Interest> {
    return interestOf(await this.subscriptions(team), team);
  }

  /** Queues events for every subscription that takes them and has the alarm deliver them at once; how many deliveries were new. */
  async enqueue(team: string, events: WebhookEvent[]): Promise<number> {
    const list = await this.subscriptions(team);
    const rows = events.flatMap((event) =>
      list.filter((sub) => receives(sub, team, event.type)).map((sub) => ({ eventId: event.id, eventType: event.type, subscriptionId: sub.id, conversationId: event.conversation.id, body: webhookBody(event, sub.includeText) })),
    );
    const now = Date.now();
    const added = this.store.add(rows, now);
    const dropped = this.store.trim(MAX_PENDING);
    if (dropped) warn("webhook_outbox_full", { dropped });
    if (added) await this.armBy(now);
    return added;
  }

  /** Reads the team's subscriptions again now (one was created or deleted). */
  async refresh(team: string): Promise<void> {
    this.known = null;
    await this.subscriptions(team);
  }

  /** An erased conversation: its deliveries not yet made go unsent. */
  forget(conversationId: string): number {
    return this.store.forgetConversation(conversationId);
  }

  /** Deliveries waiting (tests, ops). */
  pending(): number {
    return this.store.pending();
  }

  override async alarm(): Promise<void> {
    await this.deliver(Date.now());
  }

  /** Sends what is due at `now` (a batch at a time, until nothing due is left) and sets the alarm for the next retry. */
  async deliver(now: number): Promise<void> {
    const team = this.store.team();
    if (team === null) return;
    const list = await this.subscriptions(team);
    for (let batch = this.store.due(now, BATCH); batch.length; batch = this.store.due(now, BATCH)) {
      await Promise.all(batch.map((d) => this.attempt(d, list, now)));
    }
    const next = this.store.nextDueAt();
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1));
  }

  private async attempt(d: Delivery, list: StoredSubscription[], now: number): Promise<void> {
    const sub = list.find((s) => s.id === d.subscriptionId);
    // Deleted since, or no longer acceptable (a development URL in production): not sent.
    if (!sub || !checkWebhookUrl(sub.url, this.config.devMode).ok) return this.store.remove(d.id);
    const secret = await this.secretOf(sub);
    const accepted = secret !== null && (await postSigned({ url: sub.url, secret }, d.body, { "X-Holdfast-Delivery": d.eventId, "X-Holdfast-Event": d.eventType, "User-Agent": "holdfast-webhooks/1" }));
    const decision = afterAttempt(accepted, d.attempts, now);
    if (decision.type === "retry") this.store.retry(d.id, decision.attempts, decision.at);
    else this.store.remove(d.id);
    if (decision.type === "dropped") warn("webhook_dropped", { subscription: sub.id, type: d.eventType });
  }

  private async secretOf(sub: StoredSubscription): Promise<string | null> {
    const key = `${sub.id}:${sub.secretKey}`;
    const known = this.secrets.get(key);
    if (known !== undefined) return known;
    if (!this.config.dataKeyring) return null;
    try {
      const secret = await openSecret(this.config.dataKeyring, sub);
      this.secrets.set(key, secret);
      return secret;
    } catch (err) {
      warn("webhook_secret_unreadable", { subscription: sub.id, kind: (err as Error).name });
      return null;
    }
  }

  /** The team's subscriptions: from memory while fresh, else from the primary, else the last list read. */
  private async subscriptions(team: string): Promise<StoredSubscription[]> {
    this.store.setTeam(team);
    const now = Date.now();
    if (this.known && now - this.known.fetchedAt < WEBHOOK_INTEREST_MS) return this.known.list;
    this.reading ??= this.read(team, now).finally(() => (this.reading = null));
    return this.reading;
  }

  private async read(team: string, now: number): Promise<StoredSubscription[]> {
    const ring = this.config.dataKeyring;
    try {
      if (!ring) throw new Error("no keyring");
      const list = await withTimeout(storedWebhooksOf(configuredPrimary(this.config), ring, team), this.config.primary.timeoutMs, "primary");
      this.known = { list, fetchedAt: now };
      this.store.saveSubscriptions(list, now);
      return list;
    } catch (err) {
      warn("webhook_subscriptions_unread", { kind: (err as Error).name });
      // Keep using what was read last; try the primary again on the next call.
      return this.known?.list ?? [];
    }
  }

  /** Has the alarm fire by `at` (it may already be set sooner). */
  private async armBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

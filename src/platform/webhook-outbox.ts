// Where conversations and desks hand their events to the team's webhook outbox (a WebhookDO
// per team, in the `eu` jurisdiction for EU conversations, so that an opted-in text stays
// there until delivered). Each isolate remembers for WEBHOOK_INTEREST_MS what a team's
// subscriptions want, so a team without webhooks costs its conversations nothing and no text
// leaves a conversation unless some subscription takes it. Handing over is never awaited by
// a turn and never throws; a failed call is tried twice more (the outbox drops repeats by
// event id).
import type { WebhookDO } from "../../durable-objects/webhooks.ts";
import { parseConversationId } from "../conversation/address.ts";
import { readConfig } from "../config.ts";
import type { Jurisdiction } from "../edge/region.ts";
import type { DeskObserver } from "../desk/observer.ts";
import { eventId, type ConversationRef, type EventFacts, type WebhookEvent } from "../webhooks/events.ts";
import type { Interest } from "../webhooks/subscriptions.ts";
import type { Waiter } from "./events.ts";

/** How long an isolate trusts what it learned of a team's subscriptions. */
export const WEBHOOK_INTEREST_MS = 30_000;
const RETRY_DELAYS_MS = [500, 2_000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The outbox of a team's events from conversations in `jurisdiction`. */
export function webhookOutbox(env: Env, team: string, jurisdiction: Jurisdiction | null): DurableObjectStub<WebhookDO> {
  const enforce = readConfig(env).jurisdictions;
  const ns = (jurisdiction && enforce ? env.WEBHOOKS.jurisdiction(jurisdiction) : env.WEBHOOKS) as DurableObjectNamespace<WebhookDO>;
  return ns.get(ns.idFromName(team));
}

const interests = new Map<string, { interest: Promise<Interest>; until: number }>();

/** What a team's subscriptions want, as this isolate last learned it (asked again after WEBHOOK_INTEREST_MS). */
function interestOf(env: Env, team: string, jurisdiction: Jurisdiction | null): Promise<Interest> {
  const key = `${jurisdiction ?? ""}:${team}`;
  const now = Date.now();
  const known = interests.get(key);
  if (known && known.until > now) return known.interest;
  const interest = webhookOutbox(env, team, jurisdiction).interest(team);
  interests.set(key, { interest, until: now + WEBHOOK_INTEREST_MS });
  // A failed answer is not remembered: the next event asks again.
  interest.catch(() => interests.delete(key));
  if (interests.size > 1_000) interests.delete(interests.keys().next().value!);
  return interest;
}

/** Forgets what this isolate knew of subscriptions (after one was created or deleted here). */
export function forgetWebhookInterest(): void {
  interests.clear();
}

/**
 * Hands an event to its team's outbox if a subscription wants its type (nothing is made
 * otherwise: a team without webhooks costs a turn one lookup in memory); the text only if one
 * takes text. Its id is derived from what it is about (`discriminator` tells events of one
 * type in a conversation apart).
 */
async function handOver(env: Env, conversation: ConversationRef, facts: EventFacts, at: number, discriminator: string | number, text: string | undefined): Promise<void> {
  const { team } = conversation;
  const jurisdiction = parseConversationId(conversation.id)?.jurisdiction ?? null;
  const interest = await interestOf(env, team, jurisdiction);
  if (!interest.events.includes(facts.type)) return;
  const id = await eventId(facts.type, conversation.id, discriminator);
  const sent: WebhookEvent = { ...facts, id, at, conversation, ...(interest.text && text !== undefined && { text }) };
  for (let attempt = 0; ; attempt++) {
    try {
      await webhookOutbox(env, team, jurisdiction).enqueue(team, [sent]);
      return;
    } catch (err) {
      const pause = RETRY_DELAYS_MS[attempt];
      if (pause === undefined) throw err;
      await sleep(pause);
    }
  }
}

/** Raises an event, in the background (see handOver). */
function raise(env: Env, waiter: Waiter, conversation: ConversationRef, facts: EventFacts, at: number, discriminator: string | number = "", text?: string): void {
  const job = handOver(env, conversation, facts, at, discriminator, text).catch((err: unknown) => console.warn(JSON.stringify({ level: "warn", code: "webhook_event_undelivered", type: facts.type, kind: err instanceof Error ? err.name : typeof err })));
  waiter.waitUntil(job);
}

/** The observer that turns what conversations and desks raise into webhook events. */
export function webhookObserver(env: Env, waiter: Waiter): DeskObserver {
  return {
    conversationCreated: (e) => raise(env, waiter, { id: e.conversationId, team: e.team, channel: e.channel, locale: e.locale, region: e.region, verified: e.verified }, { type: "conversation.created" }, e.at),
    messageStored: ({ conversationId, team, message: m, at }) =>
      raise(
        env,
        waiter,
        { id: conversationId, team },
        {
          type: "message.created",
          message: {
            seq: m.seq,
            role: m.role,
            createdAt: m.createdAt,
            ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
            ...(m.agentId !== undefined && { agentId: m.agentId }),
            ...(m.decision !== undefined && { decision: m.decision }),
            ...(m.articles?.length && { articleIds: m.articles.map((a) => a.articleId) }),
          },
        },
        at,
        m.seq,
        m.text,
      ),
    handoffRequested: (e) =>
      raise(env, waiter, { id: e.conversationId, team: e.team }, { type: "handoff.requested", handoff: { reason: e.reason, state: e.outcome, ...(e.position !== undefined && { position: e.position }) } }, e.at, e.at),
    assigned: (e) => raise(env, waiter, { id: e.conversationId, team: e.team }, { type: "conversation.assigned", agent: { id: e.agentId, name: e.name } }, e.at, `${e.agentId}:${e.at}`),
    closed: (e) => raise(env, waiter, { id: e.conversationId, team: e.team }, { type: "conversation.closed", close: { reason: e.reason, ...(e.resolution !== null && { resolution: e.resolution }) } }, e.at),
    rated: (e) => raise(env, waiter, { id: e.conversationId, team: e.team }, { type: "rating.created", rating: { score: e.score } }, e.at, e.at, e.comment),
  };
}

/** Erasure: the conversation's deliveries not yet made go unsent (they may hold its text). Never throws. */
export async function forgetWebhookDeliveries(env: Env, team: string, conversationId: string): Promise<void> {
  try {
    await webhookOutbox(env, team, parseConversationId(conversationId)?.jurisdiction ?? null).forget(conversationId);
  } catch (err) {
    console.error(JSON.stringify({ level: "error", code: "webhook_forget_failed", kind: (err as Error)?.name }));
  }
}

// Webhook subscriptions as the admin API and the delivering Durable Object see them, and
// which of them an event of a team goes to. A subscription without a team takes every team's.
import type { WebhookEventType } from "./events.ts";

export interface Subscription {
  /** `wh_<hex>`. */
  id: string;
  url: string;
  events: WebhookEventType[];
  /** null: every team. */
  team: string | null;
  includeText: boolean;
  createdAt: number;
}

/** As stored: with the signing secret sealed under a wrapped data key (src/webhooks/repository.ts). */
export interface StoredSubscription extends Subscription {
  secretKey: string;
  secret: string;
}

/** What a team's subscriptions want: the event types, and whether any of them takes text. */
export interface Interest {
  events: WebhookEventType[];
  text: boolean;
}

/** The subscriptions that receive a team's events. */
export function subscriptionsOf<S extends Subscription>(all: readonly S[], team: string): S[] {
  return all.filter((s) => s.team === null || s.team === team);
}

/** Whether `sub` receives an event of `type` from `team`. */
export function receives(sub: Subscription, team: string, type: WebhookEventType): boolean {
  return (sub.team === null || sub.team === team) && sub.events.includes(type);
}

/** What raisers of a team's events need to know: nothing is sent for a type no one wants, nor text no one takes. */
export function interestOf(all: readonly Subscription[], team: string): Interest {
  const mine = subscriptionsOf(all, team);
  return { events: [...new Set(mine.flatMap((s) => s.events))].sort(), text: mine.some((s) => s.includeText) };
}

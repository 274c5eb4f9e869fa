// What a webhook receives: the event types a subscription may ask for, the event as the
// conversation or the desk raises it (ids, team, times; customer and agent text kept apart),
// and the JSON body each subscription is sent — with the text only when it opted in
// (`includeText`). An event's id is derived from what it is about, so the same event raised
// twice (a retried call after a restart) has the same id and receivers can drop the repeat.

export const WEBHOOK_EVENTS = ["conversation.created", "message.created", "handoff.requested", "conversation.assigned", "conversation.closed", "rating.created"] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/** The conversation an event is about, as far as the raiser knows it. */
export interface ConversationRef {
  id: string;
  team: string;
  channel?: string;
  locale?: string;
  region?: string;
  /** The customer's id was signed by the host site (never the id itself). */
  verified?: boolean;
}

/** Per type, what an event carries besides its conversation. Never customer or agent text. */
export type EventFacts =
  | { type: "conversation.created" }
  | { type: "message.created"; message: { seq: number; role: string; createdAt: string; replyTo?: number; agentId?: string; decision?: string; articleIds?: string[] } }
  | { type: "handoff.requested"; handoff: { reason: string; state: string; position?: number } }
  | { type: "conversation.assigned"; agent: { id: string; name: string } }
  | { type: "conversation.closed"; close: { reason: string; resolution?: string } }
  | { type: "rating.created"; rating: { score: number } };

/** An event on its way to the team's webhook outbox. */
export type WebhookEvent = EventFacts & {
  /** `evt_<32 hex>`, the same for the same event (see eventId). */
  id: string;
  at: number;
  conversation: ConversationRef;
  /** The message's text or the rating's comment: in bodies only for subscriptions with includeText. */
  text?: string;
};

/** The JSON a subscription receives. */
export interface WebhookBody {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  team: string;
  data: Record<string, unknown>;
}

/** The body for one subscription: the text goes in only when it opted in. */
export function webhookBody(event: WebhookEvent, includeText: boolean): string {
  const { id, type, at, conversation, text, ...facts } = event;
  const data: Record<string, unknown> = { conversation, ...structuredClone(facts) };
  delete data.type;
  if (includeText && text !== undefined) {
    if (event.type === "message.created") (data.message as Record<string, unknown>).text = text;
    if (event.type === "rating.created") (data.rating as Record<string, unknown>).comment = text;
  }
  const body: WebhookBody = { id, type, createdAt: new Date(at).toISOString(), team: conversation.team, data };
  return JSON.stringify(body);
}

const encoder = new TextEncoder();

/**
 * A stable id for an event: `evt_` and 32 hex digits of SHA-256 over its type, its
 * conversation and what tells it apart from others of the type there (a message's seq, a
 * request's time; nothing for one-off events such as created or closed).
 */
export async function eventId(type: WebhookEventType, conversationId: string, discriminator: string | number = ""): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`holdfast.webhook.v1\u0000${type}\u0000${conversationId}\u0000${discriminator}`));
  return `evt_${[...new Uint8Array(digest)].slice(0, 16).map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

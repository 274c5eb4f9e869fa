// What a conversation id says: conversations started in the EU are created in the `eu`
// jurisdiction and their id says so (`eu-<hex>`), so every later request finds them there.
import type { Jurisdiction } from "../edge/region.ts";

/** A conversation id: `eu-` for EU conversations, then the Durable Object id in hex. */
export const CONVERSATION_ID = /^(?:(eu)-)?([0-9a-f]{64})$/;

/** The jurisdiction and Durable Object id (hex) an id names, or null when it is not one of ours. */
export function parseConversationId(id: string): { jurisdiction: Jurisdiction | null; objectHex: string } | null {
  const match = CONVERSATION_ID.exec(id);
  return match ? { jurisdiction: (match[1] as Jurisdiction | undefined) ?? null, objectHex: match[2]! } : null;
}

/** The id of a conversation created in a jurisdiction. */
export function conversationIdFor(jurisdiction: Jurisdiction | null, objectHex: string): string {
  return jurisdiction ? `${jurisdiction}-${objectHex}` : objectHex;
}

// Where a conversation's Durable Object lives. Conversations started in the EU are created
// in the `eu` jurisdiction and their id says so (`eu-<hex>`), so every later request finds
// them there. Local workerd does not implement jurisdictions: with JURISDICTIONS=off (dev
// and tests only) the id still carries the jurisdiction but the plain namespace is used.
import type { Jurisdiction } from "../edge/region.ts";

export type ConversationNamespace = DurableObjectNamespace<import("../../durable-objects/conversation.ts").ConversationDO>;

/** A conversation id: `eu-` for EU conversations, then the Durable Object id in hex. */
export const CONVERSATION_ID = /^(?:(eu)-)?([0-9a-f]{64})$/;

export interface ConversationAddress {
  id: string;
  jurisdiction: Jurisdiction | null;
  objectId: DurableObjectId;
}

function namespaceFor(ns: ConversationNamespace, jurisdiction: Jurisdiction | null, enforce: boolean): ConversationNamespace {
  return jurisdiction && enforce ? (ns.jurisdiction(jurisdiction) as ConversationNamespace) : ns;
}

/** A new conversation's address in its jurisdiction. */
export function newConversation(ns: ConversationNamespace, jurisdiction: Jurisdiction | null, enforce: boolean): ConversationAddress {
  const objectId = namespaceFor(ns, jurisdiction, enforce).newUniqueId();
  return { id: jurisdiction ? `${jurisdiction}-${objectId}` : objectId.toString(), jurisdiction, objectId };
}

/** The address of an existing conversation, or null when the id is not one of ours. */
export function conversationAt(ns: ConversationNamespace, id: string, enforce: boolean): ConversationAddress | null {
  const match = CONVERSATION_ID.exec(id);
  if (!match) return null;
  const jurisdiction = (match[1] as Jurisdiction | undefined) ?? null;
  try {
    return { id, jurisdiction, objectId: namespaceFor(ns, jurisdiction, enforce).idFromString(match[2]!) };
  } catch {
    return null;
  }
}

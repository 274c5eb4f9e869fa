// Conversation Durable Objects: where a new one is created and where an existing id lives.
// Local workerd does not implement jurisdictions: with JURISDICTIONS=off (dev and tests
// only) the id still carries the jurisdiction but the plain namespace is used.
import type { ConversationDO } from "../../durable-objects/conversation.ts";
import { conversationIdFor, parseConversationId } from "../conversation/address.ts";
import type { Jurisdiction } from "../edge/region.ts";

export type ConversationNamespace = DurableObjectNamespace<ConversationDO>;
export type ConversationStub = DurableObjectStub<ConversationDO>;

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
  return { id: conversationIdFor(jurisdiction, objectId.toString()), jurisdiction, objectId };
}

/** The address of an existing conversation, or null when the id is not one of ours. */
export function conversationAt(ns: ConversationNamespace, id: string, enforce: boolean): ConversationAddress | null {
  const parsed = parseConversationId(id);
  if (!parsed) return null;
  try {
    return { id, jurisdiction: parsed.jurisdiction, objectId: namespaceFor(ns, parsed.jurisdiction, enforce).idFromString(parsed.objectHex) };
  } catch {
    return null;
  }
}

/** The stub of a conversation, placed near its region when it is new. */
export function conversationStub(env: Env, address: ConversationAddress, locationHint?: DurableObjectLocationHint): ConversationStub {
  return env.CONVERSATION.get(address.objectId, locationHint ? { locationHint } : undefined);
}

/** The address of an existing conversation in this deployment, or null when the id is not one of ours. */
export function findConversation(env: Env, id: string, enforce: boolean): ConversationAddress | null {
  return conversationAt(env.CONVERSATION, id, enforce);
}

/** A new conversation's address in this deployment. */
export function createConversationAddress(env: Env, jurisdiction: Jurisdiction | null, enforce: boolean): ConversationAddress {
  return newConversation(env.CONVERSATION, jurisdiction, enforce);
}

// Which conversation an incoming mail belongs to. A mail seen before (its Message-ID is in the
// thread map) goes where it went the first time, so a second delivery is stored and answered
// once; a reply joins its conversation by our reply+<token>@ address or by a Message-ID it
// names (In-Reply-To, then References newest first) that we sent or received; anything else
// starts a new conversation. The thread map holds keyed hashes of ids, never the ids.

/** What the thread map said about a mail's ids (null: not known). */
export interface ThreadLookup {
  /** The mail's own Message-ID (or, without one, its content's digest). */
  own: string | null;
  /** The conversation behind a reply+<token>@ address, when the token checked out. */
  token: string | null;
  /** The conversations behind the ids the mail names, in the order they were given. */
  named: Array<string | null>;
}

export type ThreadDecision =
  /** Seen before: the conversation already has it (a second delivery). */
  | { kind: "seen"; conversationId: string }
  | { kind: "join"; conversationId: string; by: "token" | "references" }
  | { kind: "new" };

export function threadDecision(found: ThreadLookup): ThreadDecision {
  if (found.own) return { kind: "seen", conversationId: found.own };
  if (found.token) return { kind: "join", conversationId: found.token, by: "token" };
  const named = found.named.find((id): id is string => id !== null);
  return named ? { kind: "join", conversationId: named, by: "references" } : { kind: "new" };
}

/** The thread map's key of a Message-ID (or content digest), from its keyed hash. */
export const messageKey = (digest: string) => `m:${digest}`;
/** The thread map's key of a reply token. */
export const tokenKey = (token: string) => `r:${token}`;

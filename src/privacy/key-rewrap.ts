// Moving every conversation's data key to the current master key, so that an older master
// key can be removed from DATA_ENCRYPTION_KEY. The key registry (one KeyRegistryDO per
// shard) lists conversation ids by the kid that wraps their data key; a rewrap pass walks
// the entries not under the current kid, shard by shard in id order, and asks each
// conversation to rewrap its own key (which records the new kid). A cursor says where the
// pass got to, so an interrupted pass resumes there. No I/O here: the registry and the
// conversations are ports.

/** Registry shards. Fixed: an entry's shard comes from its id, and changing this would lose entries. */
export const KEY_REGISTRY_SHARDS = 16;
/** Largest page one rewrap call takes. */
export const REWRAP_PAGE_MAX = 200;

export interface RegistryEntry {
  conversationId: string;
  kid: string;
}

/** What a conversation said when asked to rewrap: its key is under `kid` now (the current one), or it has no key any more (erased). */
export type RewrapAnswer = { status: "rewrapped"; kid: string } | { status: "missing" };

export interface RewrapPorts {
  /** Entries of a shard with ids after `after` whose kid is not `exceptKid`, in id order. */
  page(shard: number, after: string, limit: number, exceptKid: string): Promise<RegistryEntry[]>;
  /** Asks a conversation to rewrap its key under the current kid; throws when it cannot. */
  rewrap(conversationId: string): Promise<RewrapAnswer>;
  /** Drops the entry of a conversation that holds no key (erased, or never created). */
  forget(conversationId: string): Promise<void>;
}

export interface RewrapProgress {
  /** Entries visited in this call. */
  processed: number;
  /** Now under the current kid (now, or when the conversation last loaded); the registry is told. */
  rewrapped: number;
  /** No key any more: erased (or never created); the entry is dropped. */
  erased: number;
  /** Could not be rewrapped (its kid is not in the keyring, or it did not answer); left as it was. */
  failed: number;
  /** Where the next call continues; null when the pass is complete. */
  cursor: string | null;
}

export interface Cursor {
  shard: number;
  after: string;
}

const CURSOR = /^(\d{1,3})\.((?:eu-)?[0-9a-f]{64})?$/;

/** `<shard>.<last id>` (or `<shard>.` at a shard's start); null when malformed. */
export function parseCursor(text: string | undefined): Cursor | null {
  if (text === undefined || text === "") return { shard: 0, after: "" };
  const m = CURSOR.exec(text);
  const shard = m ? Number(m[1]) : NaN;
  return m && shard < KEY_REGISTRY_SHARDS ? { shard, after: m[2] ?? "" } : null;
}

export function formatCursor(cursor: Cursor): string {
  return `${cursor.shard}.${cursor.after}`;
}

/**
 * Rewraps up to `limit` conversations not under `current`, from `from` on. Conversations of
 * one registry page are asked at once; one that fails is counted and passed over.
 */
export async function rewrapPage(ports: RewrapPorts, current: string, from: Cursor, limit: number): Promise<RewrapProgress> {
  const progress: RewrapProgress = { processed: 0, rewrapped: 0, erased: 0, failed: 0, cursor: null };
  let { shard, after } = from;
  while (shard < KEY_REGISTRY_SHARDS) {
    const want = limit - progress.processed;
    const entries = await ports.page(shard, after, want, current);
    const answers = await Promise.allSettled(entries.map((e) => ports.rewrap(e.conversationId)));
    for (const [i, answer] of answers.entries()) {
      progress.processed++;
      // A conversation that answers with another kid runs with another keyring (mid-deploy): not done.
      if (answer.status === "rejected" || (answer.value.status === "rewrapped" && answer.value.kid !== current)) progress.failed++;
      else if (answer.value.status === "missing") {
        progress.erased++;
        await ports.forget(entries[i]!.conversationId);
      } else progress.rewrapped++;
    }
    if (entries.length === want) {
      after = entries[entries.length - 1]!.conversationId;
      progress.cursor = formatCursor({ shard, after });
      return progress;
    }
    shard++;
    after = "";
  }
  return progress;
}

/** Data keys per kid, summed over the shards' counts. */
export function mergeCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) for (const [kid, n] of Object.entries(c)) total[kid] = (total[kid] ?? 0) + n;
  return total;
}

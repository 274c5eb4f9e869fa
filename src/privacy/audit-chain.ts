// A hash-chained, append-only audit log: each entry's hash covers its own fields and the
// previous entry's hash, so editing, removing or reordering any entry breaks every hash after
// it. Entries name who did what to which id, never customer text.

/** What came of an audited action. */
export const OUTCOMES = ["ok", "denied", "failed"] as const;
export type AuditOutcome = (typeof OUTCOMES)[number];

/** Logs an audit write that failed: the action and the error's kind, no data. */
export function logAuditFailure(action: string, err: unknown): void {
  console.error(JSON.stringify({ level: "error", code: "audit_unavailable", action, kind: err instanceof Error ? err.name : typeof err }));
}

/** The prevHash of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** What the caller says about an action. */
export interface AuditFields {
  /** Operator id, or a fixed name such as `cli` or `system`. */
  actor: string;
  /** The actor's role at the time (an OperatorRole, or `system`). */
  role: string;
  /** A dotted verb such as `operator.create` or `subject.erase`. */
  action: string;
  /** An id (operator, conversation, subject key, article) — never customer text. */
  target: string;
  outcome: AuditOutcome;
}

export interface AuditEntry extends AuditFields {
  /** 1 for the first entry, then consecutive. */
  seq: number;
  /** ISO 8601 UTC. */
  at: string;
  prevHash: string;
  /** SHA-256 hex over canonical(entry without hash). */
  hash: string;
}

/** Where a verified page of the chain continues from. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export type ChainCheck = { ok: true; count: number; head: ChainHead | null } | { ok: false; brokenAt: number; reason: ChainBreak };

/** Why verification stopped: the seq it names is the first entry that cannot be trusted. */
export type ChainBreak = "seq_gap" | "prev_hash_mismatch" | "hash_mismatch" | "malformed";

const encoder = new TextEncoder();

/**
 * The bytes that are hashed: a JSON array in a fixed field order, under a version label.
 * JSON escaping makes the encoding unambiguous (no field can spill into the next).
 */
export function canonical(entry: Omit<AuditEntry, "hash">): string {
  return JSON.stringify(["holdfast.audit.v1", entry.seq, entry.at, entry.actor, entry.role, entry.action, entry.target, entry.outcome, entry.prevHash]);
}

/** The hash an entry must carry. */
export async function entryHash(entry: Omit<AuditEntry, "hash">): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(canonical(entry)));
  return hex(new Uint8Array(digest));
}

/** The entry that follows `prev` (null for the first), stamped at `now` (ms since the epoch). */
export async function nextEntry(prev: ChainHead | null, fields: AuditFields, now: number): Promise<AuditEntry> {
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    at: new Date(now).toISOString(),
    actor: fields.actor,
    role: fields.role,
    action: fields.action,
    target: fields.target,
    outcome: fields.outcome,
    prevHash: prev ? prev.hash : GENESIS_HASH,
  };
  return { ...body, hash: await entryHash(body) };
}

/**
 * Checks consecutive entries. `startPrev` is the entry before the first one given (the head a
 * previous page ended on); omit it when `entries` starts at seq 1. A valid chain proves no
 * entry before its head was changed; it cannot tell whether entries after the head were
 * dropped, so callers anchor the head somewhere the database's writers cannot reach.
 */
export async function verifyChain(entries: readonly AuditEntry[], startPrev: ChainHead | null = null): Promise<ChainCheck> {
  let prev = startPrev;
  for (const entry of entries) {
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (!wellFormed(entry)) return { ok: false, brokenAt: Number.isSafeInteger(entry.seq) ? entry.seq : expectedSeq, reason: "malformed" };
    if (entry.seq !== expectedSeq) return { ok: false, brokenAt: expectedSeq, reason: "seq_gap" };
    if (entry.prevHash !== (prev ? prev.hash : GENESIS_HASH)) return { ok: false, brokenAt: entry.seq, reason: "prev_hash_mismatch" };
    const { hash, ...body } = entry;
    if ((await entryHash(body)) !== hash) return { ok: false, brokenAt: entry.seq, reason: "hash_mismatch" };
    prev = { seq: entry.seq, hash };
  }
  return { ok: true, count: entries.length, head: prev };
}

function wellFormed(e: AuditEntry): boolean {
  return (
    Number.isSafeInteger(e.seq) &&
    [e.at, e.actor, e.role, e.action, e.target, e.prevHash, e.hash].every((v) => typeof v === "string") &&
    (OUTCOMES as readonly string[]).includes(e.outcome) &&
    /^[0-9a-f]{64}$/.test(e.hash)
  );
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

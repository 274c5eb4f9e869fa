// Operators and the audit log in the KB primary (libSQL), through drizzle. Works with the
// Worker's @libsql/client/web database and the CLI's file: database alike. An operator's
// key is returned once, when made or rotated; only its SHA-256 is stored.
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt } from "drizzle-orm";
import { hashOperatorKey, keyPrefix, newOperatorKey } from "../auth/operator-key.ts";
import { isRole, type OperatorRole } from "../auth/roles.ts";
import { SerialQueue } from "../conversation/serial-queue.ts";
import { AppError } from "../errors.ts";
import type { KbDatabase } from "../kb/articles.ts";
import { auditLog, operators, type AuditRow, type OperatorRow } from "../kb/schema.ts";
import { nextEntry, verifyChain, type AuditEntry, type AuditFields, type ChainCheck, type ChainHead } from "../privacy/audit-chain.ts";

/** An operator as callers see it: everything but the key hash. */
export interface Operator {
  id: string;
  name: string;
  role: OperatorRole;
  team: string | null;
  /** The key's first characters, for telling keys apart. */
  keyPrefix: string;
  createdAt: number;
  rotatedAt: number | null;
  revokedAt: number | null;
}

export interface OperatorInput {
  name: string;
  role: OperatorRole;
  team?: string | null;
}

/** Injected time and randomness (crypto.getRandomValues in production). */
export interface Sources {
  now: number;
  random: (n: number) => Uint8Array;
}

/** A key shown to its operator once, with the operator it belongs to. */
export interface IssuedKey {
  operator: Operator;
  key: string;
}

const MAX_NAME = 100;
const MAX_TEAM = 64;

function toOperator(row: OperatorRow): Operator {
  return { id: row.id, name: row.name, role: row.role, team: row.team, keyPrefix: row.keyPrefix, createdAt: row.createdAt, rotatedAt: row.rotatedAt, revokedAt: row.revokedAt };
}

function validate(input: OperatorInput): void {
  const details = [];
  if (typeof input.name !== "string" || !input.name.trim() || input.name.length > MAX_NAME) details.push({ path: "name", issue: `1-${MAX_NAME} characters` });
  if (!isRole(input.role)) details.push({ path: "role", issue: "not a role" });
  if (input.team != null && (typeof input.team !== "string" || !input.team.trim() || input.team.length > MAX_TEAM)) details.push({ path: "team", issue: `1-${MAX_TEAM} characters or null` });
  if (details.length) throw new AppError("validation_failed", details);
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Adds an operator with a new key; the key is in the result and nowhere else. */
export async function createOperator(db: KbDatabase, input: OperatorInput, sources: Sources): Promise<IssuedKey> {
  validate(input);
  const key = newOperatorKey(sources.random);
  const row = {
    id: `op_${hex(sources.random(8))}`,
    name: input.name.trim(),
    role: input.role,
    team: input.team?.trim() || null,
    keyHash: await hashOperatorKey(key),
    keyPrefix: keyPrefix(key),
    createdAt: sources.now,
    rotatedAt: null,
    revokedAt: null,
  };
  await db.insert(operators).values(row);
  return { operator: toOperator(row), key };
}

/** Every operator, revoked ones included (the audit log names them), oldest first. */
export async function listOperators(db: KbDatabase): Promise<Operator[]> {
  const rows = await db.select().from(operators).orderBy(asc(operators.createdAt), asc(operators.id));
  return rows.map(toOperator);
}

export async function getOperator(db: KbDatabase, id: string): Promise<Operator | null> {
  const row = await db.select().from(operators).where(eq(operators.id, id)).get();
  return row ? toOperator(row) : null;
}

/** Replaces a live operator's key; the old key stops verifying. Null when there is no live operator. */
export async function rotateOperatorKey(db: KbDatabase, id: string, sources: Sources): Promise<IssuedKey | null> {
  const key = newOperatorKey(sources.random);
  const [row] = await db
    .update(operators)
    .set({ keyHash: await hashOperatorKey(key), keyPrefix: keyPrefix(key), rotatedAt: sources.now })
    .where(and(eq(operators.id, id), isNull(operators.revokedAt)))
    .returning();
  return row ? { operator: toOperator(row), key } : null;
}

/** Revokes an operator for good; false when there is no live operator with that id. */
export async function revokeOperator(db: KbDatabase, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(operators)
    .set({ revokedAt: now })
    .where(and(eq(operators.id, id), isNull(operators.revokedAt)))
    .returning({ id: operators.id });
  return rows.length > 0;
}

/** The live operator whose key hashes to `keyHash`, if any. */
export async function operatorByKeyHash(db: KbDatabase, keyHash: string): Promise<Operator | null> {
  const row = await db
    .select()
    .from(operators)
    .where(and(eq(operators.keyHash, keyHash), isNull(operators.revokedAt)))
    .get();
  return row ? toOperator(row) : null;
}

function toEntry(row: AuditRow): AuditEntry {
  return { seq: row.seq, at: row.at, actor: row.actor, role: row.role, action: row.action, target: row.target, outcome: row.outcome, prevHash: row.prevHash, hash: row.hash };
}

/** How many times appendAudit retries a write that lost a race or found the database busy. */
const APPEND_ATTEMPTS = 12;
/** Appends from one client queue up here rather than contend for the write lock. */
const appendQueues = new WeakMap<KbDatabase, SerialQueue>();

/**
 * Appends an entry: reads the head, then inserts the entry after it in one statement. No
 * transaction spans the two round trips, so a writer that vanishes between them (an evicted
 * Durable Object, a cancelled request) holds no lock that others would wait out. Two writers
 * that read the same head race for the same seq, the primary key: the loser's insert fails
 * and it retries on the new head, so the chain never forks. Appends through one client run
 * one at a time; appends from other clients that lose a race or find the database busy are
 * retried after a short random pause.
 *
 * Two `file:` clients on one file in one process do not mix: @libsql/client 0.18 leaves a
 * statement that failed SQLITE_BUSY unfinalised, and the connection cannot commit again
 * (tursodatabase/libsql-client-ts#352) — use one client.
 */
export async function appendAudit(db: KbDatabase, fields: AuditFields, now: number): Promise<AuditEntry> {
  let queue = appendQueues.get(db);
  if (!queue) appendQueues.set(db, (queue = new SerialQueue()));
  return queue.run(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const entry = await nextEntry((await auditHead(db)) ?? null, fields, now);
        await db.insert(auditLog).values(entry);
        return entry;
      } catch (err) {
        if (attempt >= APPEND_ATTEMPTS || !isContention(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 200)));
      }
    }
  });
}

/** SQLITE_BUSY / locked, or a unique-key clash on seq (another writer took it first). */
function isContention(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /BUSY|LOCKED|CONSTRAINT_PRIMARYKEY|CONSTRAINT_UNIQUE/.test(code)) return true;
    if (/database is locked|SQLITE_BUSY|UNIQUE constraint failed: audit_log\.seq/.test(e.message)) return true;
  }
  return false;
}

/** Entries after `after` (a seq; 0 for the start), in order, at most `limit`. */
export async function auditPage(db: KbDatabase, after: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(limit);
  return rows.map(toEntry);
}

/** Which entries `auditSearch` returns: actions, an outcome, a time range (ISO, `to` exclusive), an actor. */
export interface AuditFilter {
  actions: readonly string[];
  outcome?: AuditEntry["outcome"];
  from: string;
  to: string;
  actor?: string;
}

/** Entries after `after` (a seq) that pass the filter, in order, at most `limit`. */
export async function auditSearch(db: KbDatabase, filter: AuditFilter, after: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        gt(auditLog.seq, after),
        inArray(auditLog.action, [...filter.actions]),
        gte(auditLog.at, filter.from),
        lt(auditLog.at, filter.to),
        filter.outcome ? eq(auditLog.outcome, filter.outcome) : undefined,
        filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
      ),
    )
    .orderBy(asc(auditLog.seq))
    .limit(limit);
  return rows.map(toEntry);
}

/** The newest entry: the head to anchor outside the database. */
export async function auditHead(db: KbDatabase): Promise<AuditEntry | null> {
  const row = await db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1).get();
  return row ? toEntry(row) : null;
}

/** The whole log a page at a time, so a long log is never held in memory at once. */
export async function* allAudit(db: KbDatabase, pageSize = 500): AsyncGenerator<AuditEntry[]> {
  let after = 0;
  for (;;) {
    const page = await auditPage(db, after, pageSize);
    if (!page.length) return;
    yield page;
    after = page.at(-1)!.seq;
    if (page.length < pageSize) return;
  }
}

/** Verifies the whole log page by page; `count` is the number of entries checked. */
export async function verifyAudit(db: KbDatabase, pageSize = 500): Promise<ChainCheck> {
  let head: ChainHead | null = null;
  let count = 0;
  for await (const page of allAudit(db, pageSize)) {
    const check = await verifyChain(page, head);
    if (!check.ok) return check;
    head = check.head;
    count += check.count;
  }
  return { ok: true, count, head };
}

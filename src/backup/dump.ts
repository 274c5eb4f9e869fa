// Dumps the KB primary: every table's schema and rows (a page at a time, by rowid), SQLite's
// sequences, then indexes, triggers and views, as dump lines (src/backup/dump-format.ts).
// The caller runs it inside one read transaction, so the dump is one consistent snapshot
// however long it takes; bytes, checksums and where they go are the caller's. Pure: the
// database is a port that @libsql/client's clients and transactions satisfy.
import { DUMP_FORMAT, encodeValue, ident, type AuditHead, type DumpHeader, type DumpLine } from "./dump-format.ts";

/** What the dump reads through: `execute` of @libsql/client (intMode "bigint"). */
export interface SqlReader {
  execute(stmt: { sql: string; args?: Array<string | number | bigint> }): Promise<{ columns: string[]; rows: ArrayLike<unknown>[] }>;
}

export interface DumpSummary extends DumpHeader {
  tables: Record<string, number>;
}

/** A table the dump cannot copy row by row (virtual tables keep their data elsewhere). */
export class UnsupportedTableError extends Error {
  constructor(table: string) {
    super(`table ${table} cannot be dumped (virtual table or WITHOUT ROWID)`);
    this.name = "UnsupportedTableError";
  }
}

const row = (r: ArrayLike<unknown>): unknown[] => Array.from(r);
const int = (v: unknown): number => Number(v ?? 0);

async function rows(db: SqlReader, sql: string, args: Array<string | number | bigint> = []): Promise<unknown[][]> {
  return (await db.execute({ sql, args })).rows.map(row);
}

/** The stamps of the header: KB version, epoch, audit head, last migration. */
async function header(db: SqlReader, tables: Set<string>, now: number): Promise<DumpHeader> {
  const meta = tables.has("kb_meta") ? new Map((await rows(db, "SELECT key, value FROM kb_meta WHERE key IN ('version', 'epoch')")).map(([k, v]) => [String(k), int(v)])) : new Map<string, number>();
  const [head] = tables.has("audit_log") ? await rows(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1") : [];
  const [migration] = tables.has("__drizzle_migrations") ? await rows(db, "SELECT hash FROM __drizzle_migrations ORDER BY created_at DESC, id DESC LIMIT 1") : [];
  const auditHead: AuditHead | null = head ? { seq: int(head[0]), hash: String(head[1]) } : null;
  return {
    format: DUMP_FORMAT,
    createdAt: new Date(now).toISOString(),
    kbVersion: meta.get("version") ?? 0,
    epoch: meta.get("epoch") ?? 0,
    auditHead,
    migration: migration ? String(migration[0]) : null,
  };
}

/**
 * Writes the dump line by line through `emit` (awaited: the sink sets the pace) and returns
 * what its header and end line say. `now` stamps it: call it when the read transaction began.
 */
/** Whether a CREATE TABLE ends in WITHOUT ROWID (trimmed by hand: a regex with a whitespace run on both sides of an optional ";" backtracks quadratically). */
export function withoutRowid(sql: string): boolean {
  let end = sql.trimEnd();
  if (end.endsWith(";")) end = end.slice(0, -1).trimEnd();
  return /WITHOUT\s+ROWID$/i.test(end);
}

export async function dumpKb(db: SqlReader, emit: (line: DumpLine) => Promise<void> | void, now: number, pageSize = 500): Promise<DumpSummary> {
  const schema = (await rows(db, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")).map(([type, name, sql]) => ({ type: String(type), name: String(name), sql: String(sql) }));
  const tables = schema.filter((s) => s.type === "table" && !/^(sqlite|libsql)_/.test(s.name));
  const first = await header(db, new Set(tables.map((t) => t.name)), now);
  await emit({ type: "header", ...first });
  const counts: Record<string, number> = {};
  for (const table of tables) {
    if (/^\s*CREATE\s+VIRTUAL\s/i.test(table.sql) || withoutRowid(table.sql)) throw new UnsupportedTableError(table.name);
    const info = await db.execute({ sql: `SELECT * FROM ${ident(table.name)} LIMIT 0` });
    await emit({ type: "table", name: table.name, sql: table.sql, columns: info.columns });
    counts[table.name] = 0;
    for (let after: bigint | number = -1; ; ) {
      const page = await rows(db, `SELECT rowid AS "holdfast:rowid", * FROM ${ident(table.name)} WHERE rowid > ? ORDER BY rowid LIMIT ?`, [after, pageSize]);
      if (!page.length) break;
      await emit({ type: "rows", table: table.name, rows: page.map((r) => r.slice(1).map(encodeValue)) });
      counts[table.name]! += page.length;
      after = page[page.length - 1]![0] as bigint;
      if (page.length < pageSize) break;
    }
  }
  if (schema.some((s) => s.name === "sqlite_sequence")) {
    for (const [name, seq] of await rows(db, "SELECT name, seq FROM sqlite_sequence ORDER BY name")) await emit({ type: "sequence", name: String(name), seq: int(seq) });
  }
  for (const s of schema) {
    if ((s.type === "index" || s.type === "trigger" || s.type === "view") && !/^(sqlite|libsql)_/.test(s.name)) await emit({ type: "schema", kind: s.type, name: s.name, sql: s.sql });
  }
  await emit({ type: "end", tables: counts });
  return { ...first, tables: counts };
}

// Durable Object storage's SQL surface (`sql.exec`, cursors, `transactionSync`) on the
// libSQL engine in Node, so the eval runs the replica's real store and migrations outside
// workerd. Not a stand-in for the engine: it is SQLite with FTS5, as in a Durable Object.
import Database from "libsql";

type Row = Record<string, unknown>;

class Cursor<T extends Row> {
  private readonly rows: T[];
  constructor(rows: T[]) {
    this.rows = rows;
  }
  toArray(): T[] {
    return this.rows;
  }
  one(): T {
    if (this.rows.length !== 1) throw new Error(`expected exactly one row, got ${this.rows.length}`);
    return this.rows[0]!;
  }
  [Symbol.iterator](): Iterator<T> {
    return this.rows[Symbol.iterator]();
  }
}

/** True when a script holds more than one statement (migrations). */
function isScript(query: string): boolean {
  const code = query.replace(/--[^\n]*/g, "").trim().replace(/;\s*$/, "");
  return code.includes(";");
}

/** Durable Object results give blobs as ArrayBuffer; the Node engine gives Buffers. */
function toObjectRow(row: Row): Row {
  for (const [k, v] of Object.entries(row)) if (v instanceof Uint8Array) row[k] = v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
  return row;
}

export function sqliteStorage(path = ":memory:"): DurableObjectStorage {
  const db = new Database(path);
  let depth = 0;
  const sql = {
    exec<T extends Row>(query: string, ...bindings: unknown[]): Cursor<T> {
      if (!bindings.length && isScript(query)) {
        db.exec(query);
        return new Cursor<T>([]);
      }
      const params = bindings.map((b) => (b instanceof ArrayBuffer ? Buffer.from(b) : b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : b));
      const statement = db.prepare(query);
      if (statement.reader) return new Cursor<T>((statement.all(...params) as T[]).map((r) => toObjectRow(r) as T));
      statement.run(...params);
      return new Cursor<T>([]);
    },
    get databaseSize(): number {
      const page = db.prepare("PRAGMA page_size").pluck().get() as number;
      const pages = db.prepare("PRAGMA page_count").pluck().get() as number;
      return page * pages;
    },
  };
  const storage = {
    sql,
    transactionSync<T>(fn: () => T): T {
      const name = `t${depth++}`;
      db.exec(`SAVEPOINT ${name}`);
      try {
        const result = fn();
        db.exec(`RELEASE ${name}`);
        return result;
      } catch (err) {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
        throw err;
      } finally {
        depth--;
      }
    },
  };
  return storage as unknown as DurableObjectStorage;
}

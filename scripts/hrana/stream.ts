// One Hrana stream: its own connection to the database file, its stored SQL texts, and the
// execution of stream requests (execute, batch, sequence, describe, store_sql, close_sql,
// get_autocommit, close) with the semantics of the Hrana 2/3 specification.
import Database from "libsql";
import { ConnectionCatalog } from "./catalog.ts";
import { refusal } from "./sql-guard.ts";
import { fromSql, ProtocolError, toSql, type HranaValue, type SqlValue } from "./values.ts";

type Json = Record<string, unknown>;

export interface StmtResult {
  cols: Array<{ name: string; decltype: string | null }>;
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export interface HranaError {
  message: string;
  code: string | null;
}

/** A statement failed in SQLite: reported to the client as a result, not an HTTP error. */
export class SqlError extends Error {
  readonly code: string | null;
  constructor(message: string, code: string | null) {
    super(message);
    this.code = code;
  }
}

export class Stream {
  readonly db: InstanceType<typeof Database>;
  private readonly sqls = new Map<number, string>();
  private readonly catalog: ConnectionCatalog;
  closed = false;

  constructor(path: string) {
    this.db = new Database(path);
    // Another process (the KB CLI) may write to the same file: wait for it rather than fail.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON");
    this.catalog = new ConnectionCatalog(this.db);
  }

  get autocommit(): boolean {
    return !this.db.inTransaction;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    } catch {
      // Nothing to roll back.
    }
    this.db.close();
  }

  /** Executes one stream request; SQL failures become `{ type: "error" }` results. */
  handle(req: Json): { type: "ok"; response: Json } | { type: "error"; error: HranaError } {
    try {
      return { type: "ok", response: this.dispatch(req) };
    } catch (err) {
      if (err instanceof SqlError) return { type: "error", error: { message: err.message, code: err.code } };
      throw err;
    }
  }

  private dispatch(req: Json): Json {
    switch (req.type) {
      case "execute":
        return { type: "execute", result: this.execute(req.stmt as Json) };
      case "batch":
        return { type: "batch", result: this.batch(req.batch as Json) };
      case "sequence":
        this.run(() => this.db.exec(this.sqlOf(req)));
        return { type: "sequence" };
      case "describe":
        return { type: "describe", result: this.describe(this.sqlOf(req)) };
      case "store_sql":
        if (typeof req.sql_id !== "number" || typeof req.sql !== "string") throw new ProtocolError("store_sql needs sql_id and sql");
        if (this.sqls.has(req.sql_id)) throw new ProtocolError("sql_id already in use");
        this.sqls.set(req.sql_id, req.sql);
        return { type: "store_sql" };
      case "close_sql":
        this.sqls.delete(req.sql_id as number);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: this.autocommit };
      case "close":
        this.close();
        return { type: "close" };
      default:
        throw new ProtocolError("unknown request type");
    }
  }

  /** The SQL text of a request (inline or stored), refused unless the Worker or the KB tooling could have sent it (sql-guard.ts). */
  private sqlOf(req: Json): string {
    const sql = this.textOf(req);
    const why = refusal(sql, this.run(() => this.catalog.current()));
    if (why) throw new SqlError(`The dev endpoint refuses this statement: ${why}`, "SQLITE_AUTH");
    return sql;
  }

  private textOf(req: Json): string {
    if (typeof req.sql === "string") return req.sql;
    if (typeof req.sql_id === "number") {
      const sql = this.sqls.get(req.sql_id);
      if (sql === undefined) throw new SqlError("No SQL text is stored under this sql_id", "SQL_NOT_FOUND");
      return sql;
    }
    throw new ProtocolError("a statement needs sql or sql_id");
  }

  execute(stmt: Json): StmtResult {
    const sql = this.sqlOf(stmt);
    const args = Array.isArray(stmt.args) ? stmt.args.map(toSql) : [];
    const named = Array.isArray(stmt.named_args) ? (stmt.named_args as Json[]) : [];
    const params: SqlValue[] | Record<string, SqlValue> = named.length
      ? Object.fromEntries(named.map((a) => [String(a.name).replace(/^[:@$]/, ""), toSql(a.value)]))
      : args;
    return this.run(() => {
      const prepared = this.db.prepare(sql);
      prepared.safeIntegers(true);
      if (prepared.reader) {
        prepared.raw(true);
        const cols = prepared.columns().map((c: { name: string; type: string | null }) => ({ name: c.name, decltype: c.type ?? null }));
        const raw = prepared.all(params) as unknown[][];
        const rows = stmt.want_rows === false ? [] : raw.map((row) => row.map(fromSql));
        return { cols, rows, ...this.changes() };
      }
      prepared.run(params);
      return { cols: [], rows: [], ...this.changes() };
    });
  }

  private changes(): Pick<StmtResult, "affected_row_count" | "last_insert_rowid"> {
    const info = this.db.prepare("SELECT changes(), last_insert_rowid()").safeIntegers(true).raw(true).get() as [bigint, bigint];
    return { affected_row_count: Number(info[0]), last_insert_rowid: info[1] === 0n ? null : info[1].toString() };
  }

  private batch(batch: Json): { step_results: Array<StmtResult | null>; step_errors: Array<HranaError | null> } {
    const steps = Array.isArray(batch?.steps) ? (batch.steps as Json[]) : [];
    const results: Array<StmtResult | null> = [];
    const errors: Array<HranaError | null> = [];
    steps.forEach((step, i) => {
      if (step.condition && !this.holds(step.condition as Json, results, errors, i)) {
        results.push(null);
        errors.push(null);
        return;
      }
      try {
        results.push(this.execute(step.stmt as Json));
        errors.push(null);
      } catch (err) {
        if (!(err instanceof SqlError)) throw err;
        results.push(null);
        errors.push({ message: err.message, code: err.code });
      }
    });
    return { step_results: results, step_errors: errors };
  }

  private holds(cond: Json, results: Array<StmtResult | null>, errors: Array<HranaError | null>, current: number): boolean {
    const step = cond.step as number;
    switch (cond.type) {
      case "ok":
        if (step >= current) throw new ProtocolError("a condition may only refer to earlier steps");
        return results[step] !== null;
      case "error":
        if (step >= current) throw new ProtocolError("a condition may only refer to earlier steps");
        return errors[step] !== null;
      case "not":
        return !this.holds(cond.cond as Json, results, errors, current);
      case "and":
        return (cond.conds as Json[]).every((c) => this.holds(c, results, errors, current));
      case "or":
        return (cond.conds as Json[]).some((c) => this.holds(c, results, errors, current));
      case "is_autocommit":
        return this.autocommit;
      default:
        throw new ProtocolError("unknown condition type");
    }
  }

  private describe(sql: string): Json {
    return this.run(() => {
      const prepared = this.db.prepare(sql);
      const reader = prepared.reader;
      const cols = reader ? prepared.columns().map((c: { name: string; type: string | null }) => ({ name: c.name, decltype: c.type ?? null })) : [];
      const names = [...sql.matchAll(/[?:@$][A-Za-z_0-9]*/g)].map((m) => (m[0].length > 1 ? m[0] : null));
      return { params: names.map((name) => ({ name })), cols, is_explain: /^\s*explain\b/i.test(sql), is_readonly: reader && !/^\s*(insert|update|delete|replace)\b/i.test(sql) };
    });
  }

  /** Runs engine calls, turning SQLite errors into SqlError. */
  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      const e = err as { message?: string; code?: string; rawCode?: number };
      throw new SqlError(e.message ?? "SQL error", e.code ?? null);
    }
  }
}

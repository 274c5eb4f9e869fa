// What the SQL guard checks names against (sql-guard.ts `Catalog`), read from the engine and
// the database itself: the functions and virtual-table modules the engine has (once per
// process), and the tables and views in the connection's schema (again whenever its schema
// version changes, so a table a migration creates is known at once, its own uncommitted
// CREATE TABLE included).
import type Database from "libsql";
import type { Catalog } from "./sql-guard.ts";
import { foldName } from "./sql-tokens.ts";

type Db = InstanceType<typeof Database>;

let engine: Pick<Catalog, "functions" | "modules"> | null = null;

function names(db: Db, sql: string): Set<string> {
  return new Set((db.prepare(sql).raw(true).all() as unknown[][]).map((row) => foldName(String(row[0]))));
}

function engineNames(db: Db): Pick<Catalog, "functions" | "modules"> {
  if (engine) return engine;
  const functions = names(db, "PRAGMA function_list");
  const modules = names(db, "PRAGMA module_list");
  // Without these lists the guard could not tell a function call from anything else.
  if (!functions.has("count") || !modules.has("fts5")) throw new Error("the libSQL engine does not list its functions and modules; the dev endpoint cannot vet SQL");
  engine = { functions, modules };
  return engine;
}

/** The catalog as one connection sees it, re-read when its schema changes. */
export class ConnectionCatalog {
  private readonly db: Db;
  private version = -1;
  private tables = new Set<string>();

  constructor(db: Db) {
    this.db = db;
  }

  current(): Catalog {
    const version = Number((this.db.prepare("PRAGMA schema_version").raw(true).get() as unknown[])[0]);
    if (version !== this.version) {
      this.tables = names(this.db, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')");
      this.version = version;
    }
    return { tables: this.tables, ...engineNames(this.db) };
  }
}

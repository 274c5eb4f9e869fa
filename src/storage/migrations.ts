// Applies numbered SQL migrations to a Durable Object's SQLite storage, each once, each in
// its own transaction, recording what ran in `_migrations`.

export interface Migration {
  name: string;
  sql: string;
}

/** Applies the migrations not yet recorded; returns the names it applied. */
export function applyMigrations(storage: DurableObjectStorage, migrations: Migration[]): string[] {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const done = new Set(sql.exec<{ name: string }>("SELECT name FROM _migrations").toArray().map((r) => r.name));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    storage.transactionSync(() => {
      sql.exec(m.sql);
      sql.exec("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", m.name, Date.now());
    });
    applied.push(m.name);
  }
  return applied;
}

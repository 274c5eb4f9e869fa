// AgentDeskDO's canned responses: the team's own list once an admin replaced the built-in
// one, with its revision. Small and written whole, like the desk state; read once.
import { BUILT_IN_LIBRARY, type CannedLibrary, type CannedResponse } from "../src/desk/canned-library.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";

export class CannedStore {
  private readonly sql: SqlStorage;
  private current: CannedLibrary;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    const row = this.sql.exec<{ items: string | null; revision: number }>("SELECT items, revision FROM canned WHERE id = 1").toArray()[0];
    if (!row) this.current = BUILT_IN_LIBRARY;
    else this.current = row.items === null ? { ...BUILT_IN_LIBRARY, revision: row.revision } : { items: JSON.parse(row.items) as CannedResponse[], revision: row.revision, custom: true };
  }

  library(): CannedLibrary {
    return this.current;
  }

  /** Replaces the list; with `revision`, only if that is still the current one. */
  replace(items: CannedResponse[], revision?: number): Outcome<CannedLibrary> {
    if (revision !== undefined && revision !== this.current.revision) return fail("canned_revision_conflict");
    const next = { items, revision: this.current.revision + 1, custom: true };
    this.sql.exec("INSERT OR REPLACE INTO canned (id, items, revision) VALUES (1, ?, ?)", JSON.stringify(items), next.revision);
    return ok((this.current = next));
  }

  /** Back to the built-in list; the revision still counts up, so older copies stay stale. */
  reset(): CannedLibrary {
    const next = { ...BUILT_IN_LIBRARY, revision: this.current.revision + 1 };
    this.sql.exec("INSERT OR REPLACE INTO canned (id, items, revision) VALUES (1, NULL, ?)", next.revision);
    this.current = next;
    return next;
  }
}

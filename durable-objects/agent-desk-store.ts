// AgentDeskDO's SQLite store: the team's desk state as one JSON document and its revision.
// The state is small (queue entries, presence, tickets) and changes as a whole with every
// event, so it is written whole, in memory between writes.
import { emptyDesk, type DeskState } from "../src/desk/model.ts";

export class DeskStore {
  private readonly sql: SqlStorage;
  private current: { state: DeskState; revision: number } | null;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    const row = this.sql.exec<{ state: string; revision: number }>("SELECT state, revision FROM desk WHERE id = 1").toArray()[0];
    this.current = row ? { state: JSON.parse(row.state) as DeskState, revision: row.revision } : null;
  }

  /** The desk's state; a desk never used before starts empty for `team`. */
  state(team: string): DeskState {
    return this.current?.state ?? emptyDesk(team);
  }

  /** The state if the desk has one yet (timers and sockets need no team name). */
  existing(): DeskState | null {
    return this.current?.state ?? null;
  }

  revision(): number {
    return this.current?.revision ?? 0;
  }

  /** Stores a new state under the next revision; returns that revision. */
  save(state: DeskState): number {
    const revision = this.revision() + 1;
    this.sql.exec("INSERT OR REPLACE INTO desk (id, state, revision) VALUES (1, ?, ?)", JSON.stringify(state), revision);
    this.current = { state, revision };
    return revision;
  }
}

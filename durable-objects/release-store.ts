// ReleaseDO's SQLite store: the open release, the conversations' tallies per release and
// arm, and the webhook outbox. Synchronous; each write is one statement or transaction.
import type { OutboxEntry } from "../src/ops/alert-delivery.ts";
import type { AnswerSettings } from "../src/releases/answer-settings.ts";
import { armStats, increments, type Arm, type ConversationTally, type OutcomeReport } from "../src/releases/outcomes.ts";
import { guardOf, type ArmStats } from "../src/releases/guard.ts";
import type { Release } from "../src/releases/repository.ts";

const COLUMNS: Record<keyof ConversationTally, string> = {
  turns: "turns",
  answered: "answered",
  outOfScope: "out_of_scope",
  clarifications: "clarifications",
  picks: "picks",
  wrong: "wrong",
  handoff: "handoff",
  latencyMs: "latency_ms",
};

export class ReleaseStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  open(): Release | null {
    const row = this.sql.exec<{ release: string }>("SELECT release FROM open_release WHERE id = 1").toArray()[0];
    if (!row) return null;
    const release = JSON.parse(row.release) as Release;
    return { ...release, guard: guardOf(release.guard) };
  }

  setOpen(release: Release | null): void {
    if (release) this.sql.exec("INSERT OR REPLACE INTO open_release (id, release) VALUES (1, ?)", JSON.stringify(release));
    else this.sql.exec("DELETE FROM open_release");
  }

  /** Adds reports of the open release to their conversations' tallies (others are ignored). */
  record(releaseId: string, reports: OutcomeReport[]): number {
    let counted = 0;
    this.storage.transactionSync(() => {
      for (const r of reports) {
        if (r.release !== releaseId) continue;
        const inc = Object.entries(increments(r.signal)) as Array<[keyof ConversationTally, number]>;
        this.sql.exec("INSERT OR IGNORE INTO outcomes (release_id, conversation, arm) VALUES (?, ?, ?)", r.release, r.conversation, r.arm);
        // wrong and handoff count once per conversation; the rest add up.
        const set = inc.map(([k]) => (k === "wrong" || k === "handoff" ? `${COLUMNS[k]} = 1` : `${COLUMNS[k]} = ${COLUMNS[k]} + ?`)).join(", ");
        const values = inc.filter(([k]) => k !== "wrong" && k !== "handoff").map(([, v]) => v);
        this.sql.exec(`UPDATE outcomes SET ${set} WHERE release_id = ? AND conversation = ?`, ...values, r.release, r.conversation);
        counted++;
      }
    });
    return counted;
  }

  /** Each arm's statistics over the release so far. */
  stats(releaseId: string): Record<Arm, ArmStats> {
    const rows = this.sql
      .exec<{ arm: Arm; turns: number; answered: number; out_of_scope: number; clarifications: number; picks: number; wrong: number; handoff: number; latency_ms: number }>(
        "SELECT arm, turns, answered, out_of_scope, clarifications, picks, wrong, handoff, latency_ms FROM outcomes WHERE release_id = ?",
        releaseId,
      )
      .toArray();
    const of = (arm: Arm) =>
      armStats(
        rows
          .filter((r) => r.arm === arm)
          .map((r) => ({ turns: r.turns, answered: r.answered, outOfScope: r.out_of_scope, clarifications: r.clarifications, picks: r.picks, wrong: r.wrong, handoff: r.handoff, latencyMs: r.latency_ms })),
      );
    return { canary: of("canary"), stable: of("stable") };
  }

  /** Drops the tallies of closed releases (their comparison is kept in the primary). */
  forgetOthers(releaseId: string | null): void {
    this.sql.exec("DELETE FROM outcomes WHERE release_id <> ?", releaseId ?? "");
  }

  settings(): AnswerSettings | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.value) as AnswerSettings) : null;
  }

  setSettings(settings: AnswerSettings): void {
    this.sql.exec("INSERT OR REPLACE INTO settings (id, value) VALUES (1, ?)", JSON.stringify(settings));
  }

  outbox(): OutboxEntry[] {
    const row = this.sql.exec<{ entries: string }>("SELECT entries FROM outbox WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.entries) as OutboxEntry[]) : [];
  }

  saveOutbox(entries: OutboxEntry[]): void {
    this.sql.exec("INSERT OR REPLACE INTO outbox (id, entries) VALUES (1, ?)", JSON.stringify(entries));
  }
}

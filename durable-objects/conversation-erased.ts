// The erased marker of a ConversationDO (migrations/conversation/0010_erased.sql). Erasure
// sets it in the same commit that destroys the data key, and writes it again after deleting
// everything else; every store of the conversation checks it before writing, so work that was
// under way when the erasure began (an agent's note, a rating, an ops update) cannot put
// anything back. Kept in memory too: the check is synchronous, right before each write.

/** A write was attempted after the conversation was erased; nothing was written. */
export class ConversationErased extends Error {
  constructor() {
    super("the conversation was erased");
    this.name = "ConversationErased";
  }
}

export class ErasedMarker {
  private readonly sql: SqlStorage;
  private at: number | null;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.at = sql.exec<{ at: number }>("SELECT at FROM erased WHERE id = 1").toArray()[0]?.at ?? null;
  }

  get erased(): boolean {
    return this.at !== null;
  }

  /** Throws ConversationErased once the conversation is erased: call it before every write of its data. */
  check(): void {
    if (this.at !== null) throw new ConversationErased();
  }

  /** Marks the conversation erased, from now on (in memory) and in storage (again after a deleteAll). */
  mark(at: number): void {
    this.at ??= at;
    this.sql.exec("INSERT OR REPLACE INTO erased (id, at) VALUES (1, ?)", this.at);
  }
}

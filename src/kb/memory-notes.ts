// Notes for a replica's memory of answered questions, gathered per isolate and sent in
// batches: a note per answered turn would double the turn's calls to the replica.

export interface MemoryNote {
  question: string;
  language: string;
  articleId: string;
}

export interface NoteBatching {
  /** Send once this many notes are waiting for one replica. */
  maxNotes: number;
  /** Or once the oldest has waited this long (ms). */
  maxAgeMs: number;
}

export class MemoryNotes {
  private readonly waiting = new Map<string, { notes: MemoryNote[]; since: number }>();
  private readonly batching: NoteBatching;

  constructor(batching: NoteBatching) {
    this.batching = batching;
  }

  /** Adds a note; returns the batch to send now, if the replica's notes are due. */
  add(replica: string, note: MemoryNote, now: number): MemoryNote[] | null {
    const entry = this.waiting.get(replica) ?? { notes: [], since: now };
    entry.notes.push(note);
    this.waiting.set(replica, entry);
    return entry.notes.length >= this.batching.maxNotes || now - entry.since >= this.batching.maxAgeMs ? this.take(replica) : null;
  }

  /** Everything waiting for a replica (sent along with a call to it anyway). */
  take(replica: string): MemoryNote[] {
    const notes = this.waiting.get(replica)?.notes ?? [];
    this.waiting.delete(replica);
    return notes;
  }
}

// The region's handoffs still waiting for an agent's first reply: the queue depth, the
// oldest wait and the agent SLA come from it. Bounded: at most `maxEntries` waiting (the
// oldest are dropped first) and none older than `maxAgeMs` (abandoned).
import type { HashedId } from "./events.ts";

export interface QueueOptions {
  /** An agent's first reply later than this after the handoff breaches the SLA. */
  slaMs: number;
  maxEntries: number;
  maxAgeMs: number;
}

export const DEFAULT_QUEUE: QueueOptions = { slaMs: 5 * 60_000, maxEntries: 2_000, maxAgeMs: 24 * 3_600_000 };

interface Waiting {
  at: number;
  /** The label key of the handoff's tally, where its SLA breach is counted. */
  key: string;
  breached: boolean;
}

/** `[conversation, handoff at, label key, breached 0|1]` per waiting handoff. */
export type QueueJSON = Array<[string, number, string, 0 | 1]>;

export class HandoffQueue {
  private readonly options: QueueOptions;
  private readonly waiting = new Map<string, Waiting>();

  constructor(options: QueueOptions = DEFAULT_QUEUE) {
    this.options = options;
  }

  /** A conversation joined the queue; a repeated handoff keeps its first time. */
  handoff(conversation: HashedId, at: number, key: string): void {
    if (this.waiting.has(conversation)) return;
    this.waiting.set(conversation, { at, key, breached: false });
    while (this.waiting.size > this.options.maxEntries) this.waiting.delete(this.waiting.keys().next().value!);
  }

  /**
   * An agent replied first after `firstResponseMs`. Returns the label key to count an SLA
   * breach under when this reply breaches it and the wait was not counted already, else null.
   */
  answered(conversation: HashedId, firstResponseMs: number, fallbackKey: string): string | null {
    const entry = this.waiting.get(conversation);
    this.waiting.delete(conversation);
    if (entry?.breached || firstResponseMs <= this.options.slaMs) return null;
    return entry?.key ?? fallbackKey;
  }

  /** The conversation ended: it no longer waits. */
  ended(conversation: HashedId): void {
    this.waiting.delete(conversation);
  }

  /** Marks the handoffs whose wait passed the SLA at `now`; returns their keys (each counted once). */
  tick(now: number): string[] {
    const breached: string[] = [];
    for (const [conversation, entry] of this.waiting) {
      if (now - entry.at > this.options.maxAgeMs) this.waiting.delete(conversation);
      else if (!entry.breached && now - entry.at > this.options.slaMs) {
        entry.breached = true;
        breached.push(entry.key);
      }
    }
    return breached;
  }

  get depth(): number {
    return this.waiting.size;
  }

  /** Seconds the longest-waiting handoff has waited (0 when none waits). */
  oldestWaitSeconds(now: number): number {
    let oldest = now;
    for (const entry of this.waiting.values()) oldest = Math.min(oldest, entry.at);
    return Math.max(0, (now - oldest) / 1000);
  }

  toJSON(): QueueJSON {
    return [...this.waiting].map(([c, w]) => [c, w.at, w.key, w.breached ? 1 : 0]);
  }

  static fromJSON(json: QueueJSON | undefined, options: QueueOptions = DEFAULT_QUEUE): HandoffQueue {
    const q = new HandoffQueue(options);
    for (const [c, at, key, breached] of json ?? []) {
      if (typeof c === "string" && Number.isFinite(at)) q.waiting.set(c, { at, key: String(key), breached: breached === 1 });
    }
    while (q.waiting.size > options.maxEntries) q.waiting.delete(q.waiting.keys().next().value!);
    return q;
  }
}

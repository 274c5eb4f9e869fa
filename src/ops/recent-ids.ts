// The event ids a RegionOpsDO has counted lately, so that a batch sent again (its answer was
// lost, the sender retried) is not counted twice. Bounded by age and by number: a sender
// retries within seconds, far inside either bound.
export interface RecentIdsOptions {
  /** Ids are remembered this long after they were counted. */
  keepMs: number;
  /** At most this many (the oldest are forgotten first). */
  maxIds: number;
}

export const DEFAULT_RECENT_IDS: RecentIdsOptions = { keepMs: 10 * 60_000, maxIds: 50_000 };

/** An event id as senders make them: 8–64 characters of letters, digits, `-` and `_`. */
export const EVENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

export class RecentIds {
  private readonly options: RecentIdsOptions;
  /** Id → when it was counted; insertion order is time order. */
  private readonly ids = new Map<string, number>();

  constructor(options: Partial<RecentIdsOptions> = {}) {
    this.options = { ...DEFAULT_RECENT_IDS, ...options };
  }

  /** Whether `id` was counted lately. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id` as counted at `now`. */
  add(id: string, now: number): void {
    if (this.ids.has(id)) return;
    this.ids.set(id, now);
    this.prune(now);
  }

  get size(): number {
    return this.ids.size;
  }

  private prune(now: number): void {
    for (const [id, at] of this.ids) {
      if (this.ids.size <= this.options.maxIds && now - at <= this.options.keepMs) break;
      this.ids.delete(id);
    }
  }
}

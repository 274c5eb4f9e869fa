// Reuses a dependency probe's result for a few seconds, so a health endpoint polled (or
// hammered) from outside makes at most one probe per key per window, and callers that
// arrive while a probe is running share it.

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/** Keys kept: probes are few (per region and fault state), so this is only a backstop. */
const MAX_KEYS = 256;

export class ProbeCache<T> {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry<T>>();

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  /** The result of `probe` for `key`, reused while younger than the TTL. A probe must not reject. */
  get(key: string, probe: () => Promise<T>): Promise<T> {
    const now = this.now();
    const entry = this.entries.get(key);
    // A clock that went backwards makes the entry no fresher than "just probed".
    if (entry && now - entry.at < this.ttlMs) return entry.value;
    const value = probe();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    if (this.entries.size > MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

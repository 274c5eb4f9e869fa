// FNV-1a: a fast, stable, non-cryptographic string hash, for spreading keys over shards.

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard (0 ≤ shard < shards) a key belongs to, the same everywhere and always. */
export function shardOf(key: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(key) % shards;
}

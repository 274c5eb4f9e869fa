// The colo's Cache API as the answer cache's store, keyed by a digest of the cache key so
// no question text is stored in a URL.
import type { CachedAnswer, CacheStore } from "../answer/answer-cache.ts";

export const cacheApiStore: CacheStore = {
  async match(key) {
    const res = await caches.default.match(await cacheUrl(key));
    return res ? ((await res.json()) as CachedAnswer) : null;
  },
  async delete(key) {
    await caches.default.delete(await cacheUrl(key));
  },
  async put(key, value) {
    await caches.default.put(await cacheUrl(key), new Response(JSON.stringify(value), { headers: { "Content-Type": "application/json", "Cache-Control": "max-age=86400" } }));
  },
};

async function cacheUrl(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  return `https://answer-cache.holdfast.internal/${[...digest].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

import { describe, expect, it } from "vitest";
import { RetrievalCache, retrievalKey } from "../../src/kb/retrieval-cache.ts";
import type { Retrieval } from "../../src/kb/retrieval.ts";

const retrieval = (kbVersion: number, stale = false): Retrieval => ({ language: "en", candidates: [], modelTop: null, kbVersion, lagSeconds: 3, stale });
const options = { language: "en", limit: 5 };

describe("retrieval cache", () => {
  it("treats questions that differ only in case, spacing or width as the same", () => {
    expect(retrievalKey("weur", "Where is my ORDER?", options)).toBe(retrievalKey("weur", "  where is my order？ ", options));
    expect(retrievalKey("weur", "refund", options)).not.toBe(retrievalKey("wnam", "refund", options));
    expect(retrievalKey("weur", "refund", options)).not.toBe(retrievalKey("weur", "refund", { ...options, exclude: ["en:a"] }));
  });

  it("answers within its lifetime, with the lag aged, and forgets after it", () => {
    const cache = new RetrievalCache({ ttlMs: 10_000, maxEntries: 10 });
    cache.put("weur", "k", retrieval(7), 1_000);
    expect(cache.get("weur", "k", 4_500)).toMatchObject({ kbVersion: 7, lagSeconds: 6 });
    expect(cache.get("weur", "k", 11_001)).toBeNull();
  });

  it("never answers from an older KB version than the replica has since shown", () => {
    const cache = new RetrievalCache({ ttlMs: 10_000, maxEntries: 10 });
    cache.put("weur", "old", retrieval(7), 0);
    cache.put("weur", "new", retrieval(8), 10);
    expect(cache.get("weur", "old", 20)).toBeNull();
    expect(cache.get("weur", "new", 20)).not.toBeNull();
  });

  it("does not keep a stale copy's answers, and keeps at most maxEntries", () => {
    const cache = new RetrievalCache({ ttlMs: 10_000, maxEntries: 2 });
    cache.put("weur", "stale", retrieval(7, true), 0);
    expect(cache.get("weur", "stale", 1)).toBeNull();
    for (const k of ["a", "b", "c"]) cache.put("weur", k, retrieval(7), 0);
    expect(cache.size).toBe(2);
    expect(cache.get("weur", "a", 1)).toBeNull();
  });
});

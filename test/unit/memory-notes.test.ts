import { describe, expect, it } from "vitest";
import { MemoryNotes } from "../../src/kb/memory-notes.ts";

const note = (n: number) => ({ question: `q${n}`, language: "en", articleId: "en:a" });

describe("memory notes", () => {
  it("sends a replica's notes once enough have gathered, and not before", () => {
    const notes = new MemoryNotes({ maxNotes: 3, maxAgeMs: 60_000 });
    expect(notes.add("weur", note(1), 0)).toBeNull();
    expect(notes.add("wnam", note(2), 0)).toBeNull();
    expect(notes.add("weur", note(3), 0)).toBeNull();
    expect(notes.add("weur", note(4), 0)).toEqual([note(1), note(3), note(4)]);
    expect(notes.take("weur")).toEqual([]);
    expect(notes.take("wnam")).toEqual([note(2)]);
  });

  it("sends once the oldest note has waited long enough", () => {
    const notes = new MemoryNotes({ maxNotes: 100, maxAgeMs: 5_000 });
    expect(notes.add("weur", note(1), 0)).toBeNull();
    expect(notes.add("weur", note(2), 5_000)).toEqual([note(1), note(2)]);
  });
});

// Replica sync sequencing (src/kb/sync.ts) against an in-memory replica: after the primary is
// restored or rebuilt — a new epoch, or a version that went back — the sync starts again from
// nothing and replaces the whole copy at its commit, so nothing of the lost history stays.
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/kb/article.ts";
import type { ChangePage } from "../../src/kb/articles.ts";
import type { LearnedChange } from "../../src/kb/learning/questions.ts";
import { pullChanges, type Landing, type ReplicaTarget, type StagedChange, type Staging } from "../../src/kb/sync.ts";

const article = (id: string, version: number): Article => ({ id, slug: id, locale: "en", title: id, answer: "a", questions: [], tags: [], status: "published", version, updatedAt: 0, deletedAt: null });

/** A primary's change feed over a fixed set of articles (and learned questions). */
function primary(articles: Article[], epoch: number, version = Math.max(0, ...articles.map((a) => a.version)), learned: LearnedChange[] = []) {
  return {
    async changesSince(cursor: number, limit: number): Promise<ChangePage> {
      const after = <T extends { version: number }>(list: T[]) => list.filter((a) => a.version > cursor).sort((a, b) => a.version - b.version);
      const changes = after(articles);
      const learnedAfter = after(learned);
      const end = Math.min(changes.length > limit ? changes[limit - 1]!.version : Infinity, learnedAfter.length > limit ? learnedAfter[limit - 1]!.version : Infinity);
      return { version, epoch, changes: changes.filter((c) => c.version <= end), learned: learnedAfter.filter((l) => l.version <= end), more: end !== Infinity };
    },
  };
}

/** What the replica's store does, in memory: staged changes, or a new copy built beside the live one. */
class MemoryReplica implements ReplicaTarget {
  copy = new Map<string, Article>();
  next: Map<string, Article> | null = null;
  learned = new Map<string, string>();
  stagedLearned: LearnedChange[] = [];
  v = 0;
  e = 0;
  staged: StagedChange[] = [];
  pending: Staging | null = null;
  /** Languages each landing retrained. */
  retrained: string[][] = [];
  version = () => this.v;
  epoch = () => this.e;
  staging = () => this.pending;
  setStaging = (s: Staging) => void (this.pending = s);
  clearStaged = () => void ((this.staged = []), (this.stagedLearned = []));
  stage = (changes: StagedChange[]) => void this.staged.push(...changes);
  stageLearned = (changes: LearnedChange[]) => void this.stagedLearned.push(...changes);
  commit(version: number, _primaryVersion: number, _at: number, languages: string[], landing: Landing): number {
    this.apply(this.copy, this.staged);
    const applied = this.staged.length;
    this.staged = [];
    this.landed(version, landing, applied ? languages : []);
    return applied;
  }
  beginCopy = () => void (this.next = new Map());
  copyLive(after: number, limit: number): number | null {
    const live = [...this.copy.values()].slice(after, after + limit);
    for (const a of live) this.next!.set(a.id, a);
    return live.length ? after + live.length : null;
  }
  applyToCopy = (changes: StagedChange[]) => this.apply(this.next!, changes);
  swapCopy(version: number, _primaryVersion: number, _at: number, languages: string[], landing: Landing): void {
    const held = landing.full ? [...this.copy.values()].map((a) => a.locale) : [];
    this.copy = this.next!;
    this.next = null;
    if (landing.full) this.learned.clear();
    this.landed(version, landing, [...new Set([...languages, ...held])]);
  }
  ids = () => [...this.copy.keys()].sort();
  private apply(into: Map<string, Article>, changes: StagedChange[]): void {
    for (const c of changes) {
      into.delete(c.id);
      if (c.article) into.set(c.id, c.article);
    }
  }
  private landed(version: number, landing: Landing, languages: string[]): void {
    for (const l of this.stagedLearned) {
      this.learned.delete(l.id);
      if (l.text !== null) this.learned.set(l.id, l.text);
    }
    this.stagedLearned = [];
    this.pending = null;
    this.v = version;
    this.e = landing.epoch;
    this.retrained.push(languages);
  }
}

const now = () => 0;

describe("pullChanges after a restore of the primary", () => {
  it("replaces the copy when the epoch changed: articles lost with the primary go, without tombstones", async () => {
    const replica = new MemoryReplica();
    await pullChanges(primary([article("a", 1), article("b", 2), article("c", 3)], 0), replica, now);
    expect(replica.ids()).toEqual(["a", "b", "c"]);
    // Restored to a snapshot at version 2, then written to: version 3 is now another article.
    const result = await pullChanges(primary([article("a", 1), article("b", 2), article("d", 3)], 77), replica, now);
    expect(result).toMatchObject({ done: true, full: true, version: 3 });
    expect(replica.ids()).toEqual(["a", "b", "d"]);
    expect(replica.epoch()).toBe(77);
    expect(replica.retrained.at(-1)).toEqual(["en"]);
  });

  it("drops learned questions lost with the primary, and keeps those the restored primary holds", async () => {
    const replica = new MemoryReplica();
    const q = (id: string, version: number): LearnedChange => ({ id, articleId: "a", locale: "en", text: `learned ${id}`, version });
    await pullChanges(primary([article("a", 1)], 0, 3, [q("q1", 2), q("q2", 3)]), replica, now);
    expect([...replica.learned.keys()].sort()).toEqual(["q1", "q2"]);
    await pullChanges(primary([article("a", 1)], 8, 2, [q("q1", 2)]), replica, now);
    expect([...replica.learned.keys()]).toEqual(["q1"]);
  });

  it("replaces the copy when the primary's version went back, even in the same epoch", async () => {
    const replica = new MemoryReplica();
    await pullChanges(primary([article("a", 1), article("b", 2), article("c", 3)], 0), replica, now);
    const result = await pullChanges(primary([article("a", 1)], 0), replica, now);
    expect(result.full).toBe(true);
    expect(replica.ids()).toEqual(["a"]);
    expect(replica.version()).toBe(1);
  });

  it("keeps the old copy while a chunked resync is under way, then commits it whole", async () => {
    const replica = new MemoryReplica();
    await pullChanges(primary([article("a", 1), article("b", 2), article("c", 3)], 0), replica, now);
    const restored = primary([article("a", 1), article("x", 2), article("y", 3), article("z", 4)], 9);
    const first = await pullChanges(restored, replica, now, { pageSize: 1, maxPages: 2 });
    expect(first).toMatchObject({ done: false, full: true });
    expect(replica.ids()).toEqual(["a", "b", "c"]);
    expect(replica.staging()).toMatchObject({ epoch: 9, full: true });
    const rest = await pullChanges(restored, replica, now, { pageSize: 1 });
    expect(rest).toMatchObject({ done: true, full: true, version: 4 });
    expect(replica.ids()).toEqual(["a", "x", "y", "z"]);
  });

  it("takes the primary's version as its own when the newest version's article is gone", async () => {
    const replica = new MemoryReplica();
    const result = await pullChanges(primary([article("a", 1)], 5, 3), replica, now);
    expect(result).toMatchObject({ version: 3, primaryVersion: 3 });
    expect(replica.version()).toBe(3);
    expect((await pullChanges(primary([article("a", 1)], 5, 3), replica, now)).full).toBe(false);
  });

  it("syncs incrementally while the epoch and the history hold", async () => {
    const replica = new MemoryReplica();
    await pullChanges(primary([article("a", 1)], 4), replica, now);
    const next = await pullChanges(primary([article("a", 1), article("b", 2)], 4), replica, now);
    expect(next).toMatchObject({ full: false, applied: 1 });
    expect(replica.ids()).toEqual(["a", "b"]);
  });
});

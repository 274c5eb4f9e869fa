import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KnowledgeReplicaDO } from "../../src/index.ts";
import { sql } from "drizzle-orm";
import { changesSince } from "../../src/kb/articles.ts";
import { pullChanges } from "../../src/kb/sync.ts";
import { admin, createArticle, testPrimary, unique } from "./helpers.ts";

/** A replica of its own for each test, so state never leaks between tests. */
const freshReplica = () => env.KB_REPLICA.get(env.KB_REPLICA.idFromName(`test-${unique()}`));

/** Injected fault: the dev endpoint refuses connections, as a dead primary would. */
const setPrimary = (up: boolean) =>
  fetch(`${inject("libsqlUrl")}/_dev/availability`, { method: "POST", headers: { Authorization: `Bearer ${inject("libsqlAuthToken")}`, "Content-Type": "application/json" }, body: JSON.stringify({ up }) });

/** Past the breaker's cool-down (300 ms in tests), so that the next call probes the primary. */
const coolDown = () => new Promise((r) => setTimeout(r, 350));

afterEach(async () => {
  await setPrimary(true);
  await coolDown();
});

describe("replica sync", () => {
  it("syncs from empty: published articles are searchable, drafts are not", async () => {
    const tag = unique();
    await createArticle({ slug: `lens-${tag}`, locale: "en", title: `Telescope lenses ${tag}`, answer: "Every telescope ships with two eyepieces.", questions: [`Which eyepiece fits ${tag}?`] });
    await createArticle({ slug: `draft-${tag}`, locale: "en", title: `Secret draft ${tag}`, answer: "Not yet.", status: "draft" });
    const replica = freshReplica();
    const status = await replica.sync();
    expect(status).toMatchObject({ primaryReachable: true, stale: false, failures: 0 });
    expect(status.kbVersion).toBe(status.primaryVersion);
    const result = await replica.search(tag, { locale: "en" });
    expect(result.hits.map((h) => h.slug)).toEqual([`lens-${tag}`]);
    expect(result.kbVersion).toBe(status.kbVersion);
  });

  it("syncs a large KB in bounded chunks: progress shows in the status, the old copy serves meanwhile, the alarm finishes it", async () => {
    const replica = freshReplica();
    // One page of 20 changes only, as a chunk of a large first sync would be.
    const first = await replica.sync({ pageSize: 20, maxPages: 1 });
    expect(first.sync).toMatchObject({ state: "syncing", stagedChanges: 20 });
    expect(first.articles).toBe(0);
    expect(first.kbVersion).toBe(0);
    const second = await replica.sync({ pageSize: 20, maxPages: 2 });
    expect(second.sync).toMatchObject({ state: "syncing", stagedChanges: 60 });
    // The alarm set by the chunk goes on from there, to the end, and applies it all at once.
    expect(await runDurableObjectAlarm(replica)).toBe(true);
    const done = await replica.status();
    expect(done.sync).toEqual({ state: "idle", stagedChanges: 0, stagedVersion: null, startedAt: null });
    expect(done.kbVersion).toBe(done.primaryVersion);
    expect(done.articles).toBeGreaterThan(60);
  });

  it("applies an incremental update, and removes a deleted article through its tombstone", async () => {
    const tag = unique();
    const { id } = await createArticle({ slug: `wrap-${tag}`, locale: "en", title: `Wrapping ribbons ${tag}`, answer: "We wrap presents with ribbons for free." });
    const replica = freshReplica();
    const first = await replica.sync();
    expect((await replica.search(`ribbons ${tag}`)).hits[0]?.id).toBe(id);

    await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { title: `Wrapping bows ${tag}`, questions: ["Can you tie a bow on the parcel?"] } });
    const second = await replica.sync();
    expect(second.kbVersion).toBeGreaterThan(first.kbVersion);
    const [hit] = (await replica.search(`bows ${tag}`)).hits;
    expect(hit).toMatchObject({ title: `Wrapping bows ${tag}`, questions: ["Can you tie a bow on the parcel?"] });

    expect((await admin(`/articles/${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBe(200);
    await replica.sync();
    expect((await replica.search(tag)).hits).toEqual([]);
  });

  it("retrains nothing for a draft saved on the primary (nothing it holds changed), and retrains the language once the draft is published", async () => {
    const replica = freshReplica();
    await replica.sync();
    await replica.train();
    expect((await replica.status()).training).toEqual([]);

    const tag = unique();
    const { id } = await createArticle({ slug: `kite-${tag}`, locale: "en", title: `Kite strings ${tag}`, answer: "Every kite comes with 30 m of string.", status: "draft" });
    const drafted = await replica.sync();
    expect(drafted.kbVersion).toBe(drafted.primaryVersion);
    expect(drafted.training).toEqual([]);

    expect((await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { status: "published" } })).status).toBe(200);
    const published = await replica.sync();
    expect(published.training).toEqual(["en"]);
    expect((await replica.search(`kite ${tag}`)).hits[0]?.id).toBe(id);
  });

  it("keeps serving its last good copy, marked stale, while the primary is down (fault injected), then catches up", async () => {
    const tag = unique();
    const { id } = await createArticle({ slug: `outage-${tag}`, locale: "en", title: `Outage article ${tag}`, answer: "First version." });
    const replica = freshReplica();
    await replica.sync();
    await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { answer: "Second version." } });

    await setPrimary(false);
    const down = await replica.sync();
    expect(down).toMatchObject({ primaryReachable: false, stale: true, failures: 1 });
    expect(down.lastError).toBeTruthy();
    const during = await replica.search(`outage ${tag}`);
    expect(during.stale).toBe(true);
    expect(during.hits[0]?.answer).toBe("First version.");
    expect((await replica.sync()).failures).toBe(2);

    await setPrimary(true);
    await coolDown();
    const back = await replica.sync();
    expect(back).toMatchObject({ primaryReachable: true, stale: false, failures: 0 });
    expect((await replica.search(`outage ${tag}`)).hits[0]?.answer).toBe("Second version.");
  });

  it("replaces its whole copy when the primary was restored (a new epoch): an article lost with the primary is no longer served, and the old copy serves until the resync commits", async () => {
    const tag = unique();
    const kept = await createArticle({ slug: `kept-${tag}`, locale: "en", title: `Restored kept ${tag}`, answer: "In the snapshot." });
    const lost = await createArticle({ slug: `lost-${tag}`, locale: "en", title: `Restored lost ${tag}`, answer: "Written after the snapshot." });
    const replica = freshReplica();
    const before = await replica.sync();
    expect((await replica.search(`restored ${tag}`)).hits.map((h) => h.id).sort()).toEqual([kept.id, lost.id].sort());

    // What a restore to a snapshot taken between the two writes leaves: no trace of the second
    // article (no tombstone), and a new epoch (scripts/backup/restore.ts stampRestored).
    const primary = testPrimary();
    const epoch = Date.now();
    await primary.run(sql`DELETE FROM example_questions WHERE article_id = ${lost.id}`);
    await primary.run(sql`DELETE FROM articles WHERE id = ${lost.id}`);
    await primary.run(sql`INSERT INTO kb_meta (key, value) VALUES ('epoch', ${epoch}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);

    // A chunk of the resync: the old copy, lost article included, still answers.
    const partial = await replica.sync({ pageSize: 20, maxPages: 1 });
    expect(partial.sync.state).toBe("syncing");
    expect(partial.epoch).toBe(before.epoch);
    expect((await replica.search(`restored ${tag}`)).hits).toHaveLength(2);

    expect(await runDurableObjectAlarm(replica)).toBe(true);
    const after = await replica.status();
    expect(after).toMatchObject({ epoch, sync: { state: "idle" } });
    expect(after.kbVersion).toBe(after.primaryVersion);
    expect(after.articles).toBe(before.articles - 1);
    expect((await replica.search(`restored ${tag}`)).hits.map((h) => h.id)).toEqual([kept.id]);
    expect((await admin("/status")).status).toBe(200);
  });

  it("syncs on its alarm", async () => {
    const tag = unique();
    await createArticle({ slug: `alarm-${tag}`, locale: "en", title: `Alarm synced ${tag}`, answer: "Pulled by the alarm." });
    const replica = freshReplica();
    expect((await replica.status()).lastSyncAt).toBeNull();
    expect(await runDurableObjectAlarm(replica)).toBe(true);
    expect((await replica.status()).lastSyncAt).not.toBeNull();
    expect((await replica.search(`alarm ${tag}`)).hits).toHaveLength(1);
  });

  it.each([
    ["staged and applied at once", { pageSize: 2 }],
    ["built as a new copy beside the live one (a sync too large to stage)", { pageSize: 2, maxStaged: 0 }],
  ])("applies a sync atomically, %s: searches between its pages still see the old copy", async (_, options) => {
    const tag = unique();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createArticle({ slug: `atom-${i}-${tag}`, locale: "en", title: `Atomic ${tag} v1`, answer: "Old." })).id);
    const replica = freshReplica();
    await replica.sync();
    for (const id of ids) await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { answer: "New." } });

    const seen = await runInDurableObject(replica, async (instance: KnowledgeReplicaDO) => {
      const store = (instance as unknown as { store: Parameters<typeof pullChanges>[1] & { search(q: string, o: object): Array<{ answer: string }> } }).store;
      const primary = testPrimary();
      const answers: string[][] = [];
      // Two articles per page: between pages, a search must still see only the old copy.
      await pullChanges({ changesSince: async (cursor, limit) => {
        answers.push(store.search(tag, { limit: 10 }).map((h) => h.answer));
        return changesSince(primary, cursor, limit);
      } }, store, Date.now, options);
      answers.push(store.search(tag, { limit: 10 }).map((h) => h.answer));
      return answers;
    });
    expect(seen.length).toBeGreaterThan(3);
    for (const answers of seen.slice(0, -1)) expect(answers).toEqual(Array(5).fill("Old."));
    expect(seen.at(-1)).toEqual(Array(5).fill("New."));
  });

  it("builds a sync too large to stage as a new copy in chunks: the live copy serves meanwhile, the alarm swaps the new one in whole", async () => {
    const tag = unique();
    const kept = await createArticle({ slug: `kept-${tag}`, locale: "en", title: `Unchanged pelican ${tag}`, answer: "Pelicans stay." });
    const { id } = await createArticle({ slug: `moved-${tag}`, locale: "en", title: `Changing heron ${tag}`, answer: "Before." });
    const gone = await createArticle({ slug: `gone-${tag}`, locale: "en", title: `Vanishing egret ${tag}`, answer: "Soon deleted." });
    const replica = freshReplica();
    const before = await replica.sync();
    await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { answer: "After." } });
    await admin(`/articles/${encodeURIComponent(gone.id)}`, { method: "DELETE" });

    // Nothing may be staged: the first chunk decides to build a new copy and copies the live articles.
    const first = await replica.sync({ pageSize: 20, maxPages: 2, maxStaged: 0 });
    expect(first.sync.state).toBe("syncing");
    expect(first.articles).toBe(before.articles);
    expect((await replica.search(`heron ${tag}`)).hits[0]?.answer).toBe("Before.");
    // The alarm goes on in chunks until the new copy is swapped in.
    for (let i = 0; i < 50 && (await replica.status()).sync.state === "syncing"; i++) await runDurableObjectAlarm(replica);
    const done = await replica.status();
    expect(done.sync.state).toBe("idle");
    expect(done.kbVersion).toBe(done.primaryVersion);
    expect(done.articles).toBe(before.articles - 1);
    expect((await replica.search(`heron ${tag}`)).hits[0]?.answer).toBe("After.");
    expect((await replica.search(`pelican ${tag}`)).hits[0]?.id).toBe(kept.id);
    expect((await replica.search(`egret ${tag}`)).hits.map((h) => h.id)).not.toContain(gone.id);
    expect(await replica.article(`kept-${tag}`, "en")).toMatchObject({ id: kept.id, answer: "Pelicans stay." });
    // The swapped-in copy takes the next (staged) sync as the old one did.
    await admin(`/articles/${encodeURIComponent(kept.id)}`, { method: "PATCH", body: { title: `Unchanged pelican cormorant ${tag}` } });
    expect((await replica.sync()).articles).toBe(done.articles);
    expect((await replica.search(`cormorant ${tag}`)).hits[0]?.id).toBe(kept.id);
  });
});

// The demo KB is in the primary too, so these articles use words it does not.
describe("replica search", () => {
  const tag = unique();
  const replica = freshReplica();

  it("finds English articles by title, example questions and answer", async () => {
    await createArticle({ slug: `descale-${tag}`, locale: "en", title: "How do I descale the espresso machine?", answer: "Run citric acid through the espresso machine monthly.", questions: ["My coffee maker tastes of limescale"] });
    await createArticle({ slug: `blueberry-${tag}`, locale: "zh-CN", title: "蓝莓多久送达？", answer: "蓝莓当天采摘，次日送达。", questions: ["新鲜浆果什么时候到"] });
    await createArticle({ slug: `teapot-${tag}`, locale: "zh-CN", title: "如何清洗茶壶", answer: "用温水和软布清洗茶壶，不要用洗洁精。", questions: ["紫砂壶怎么保养"] });
    await createArticle({ slug: `kindle-${tag}`, locale: "zh-CN", title: "Kindle 电子书阅读器说明", answer: "Kindle 支持中文电子书。", questions: ["阅读器能看中文书吗"] });
    await replica.sync();
    expect((await replica.search("coffee maker limescale", { locale: "en" })).hits[0]?.slug).toBe(`descale-${tag}`);
    expect((await replica.search("citric acid", { locale: "en" })).hits[0]?.slug).toBe(`descale-${tag}`);
    expect((await replica.search("DESCALING", { locale: "en" })).hits.map((h) => h.slug)).toContain(`descale-${tag}`);
  });

  it.each([
    ["蓝莓", "blueberry"],
    ["茶壶", "teapot"],
    ["我的蓝莓还没到", "blueberry"],
    ["紫砂壶保养", "teapot"],
  ])("finds Chinese articles for %s, two-character words included", async (query, slug) => {
    const result = await replica.search(query, { locale: "zh-CN" });
    expect(result.hits[0]?.slug).toBe(`${slug}-${tag}`);
  });

  it("handles mixed-script queries", async () => {
    expect((await replica.search("Kindle 中文", { locale: "zh" })).hits[0]?.slug).toBe(`kindle-${tag}`);
  });

  it("filters by locale and returns the KB version and freshness with the hits", async () => {
    const zh = await replica.search("espresso 茶壶", { locale: "zh-CN" });
    expect(zh.hits.every((h) => h.locale === "zh-CN")).toBe(true);
    expect(zh).toMatchObject({ stale: false });
    expect(zh.kbVersion).toBeGreaterThan(0);
    expect(zh.hits[0]!.score).toBeGreaterThan(0);
  });

  it("returns nothing, without error, for queries with nothing searchable", async () => {
    for (const q of ["", "???", "the and of", '" * ( ) :']) expect((await replica.search(q)).hits).toEqual([]);
  });
});

describe("replica rebuild (self-repair's last resort)", () => {
  it("wipes a damaged copy and pulls the whole KB again, serving the old copy until the new one swaps in", async () => {
    const tag = unique();
    await createArticle({ slug: `anchor-${tag}`, locale: "en", title: `Anchor chains ${tag}`, answer: "Every anchor comes with a chain." });
    const replica = freshReplica();
    const synced = await replica.sync();
    // Damage: an article the primary never had, as a copy gone wrong would hold.
    await runInDurableObject(replica, async (_instance: KnowledgeReplicaDO, state) => {
      const { doc } = state.storage.sql
        .exec<{ doc: number }>("INSERT INTO articles (id, slug, locale, title, answer, tags, questions, version, updated_at) VALUES ('en:stray', 'stray', 'en', 'Stray kraken', 'A kraken.', '[]', '[]', 1, 0) RETURNING doc")
        .one();
      state.storage.sql.exec("INSERT INTO article_fts (rowid, title, questions, answer) VALUES (?, '', '', '')", doc);
    });
    expect((await replica.article("stray", "en"))?.id).toBe("en:stray");

    // One page of 20 only: the rebuild is under way, and the old copy still answers.
    const during = await replica.rebuild({ pageSize: 20, maxPages: 1 });
    expect(during.sync).toMatchObject({ state: "syncing", stagedChanges: 20 });
    expect(during.articles).toBe(synced.articles + 1);
    expect((await replica.article("stray", "en"))?.id).toBe("en:stray");
    expect((await replica.search(`anchor ${tag}`)).hits[0]?.slug).toBe(`anchor-${tag}`);

    // The alarm goes on to the end and swaps the new copy in: the stray article is gone.
    expect(await runDurableObjectAlarm(replica)).toBe(true);
    const done = await replica.status();
    expect(done.sync.state).toBe("idle");
    expect(done.articles).toBe(synced.articles);
    expect(done.kbVersion).toBe(done.primaryVersion);
    expect(await replica.article("stray", "en")).toBeNull();
    expect((await replica.search(`anchor ${tag}`)).hits[0]?.slug).toBe(`anchor-${tag}`);
  });
});

import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { KnowledgeReplicaDO } from "../../src/index.ts";
import { changesSince } from "../../src/kb/articles.ts";
import { openPrimary } from "../../src/kb/primary.ts";
import { pullChanges } from "../../src/kb/sync.ts";
import { admin, createArticle, unique } from "./helpers.ts";

/** A replica of its own for each test, so state never leaks between tests. */
const freshReplica = () => env.KB_REPLICA.get(env.KB_REPLICA.idFromName(`test-${unique()}`));

/** Injected fault: the dev endpoint refuses connections, as a dead primary would. */
const setPrimary = (up: boolean) => fetch(`${inject("libsqlUrl")}/_dev/availability`, { method: "POST", body: JSON.stringify({ up }) });

afterEach(async () => {
  await setPrimary(true);
});

describe("replica sync", () => {
  it("syncs from empty: published articles are searchable, drafts are not", async () => {
    const tag = unique();
    await createArticle({ slug: `ship-${tag}`, locale: "en", title: `Shipping times ${tag}`, answer: "Standard shipping takes 3-5 business days.", questions: [`How long does delivery take ${tag}?`] });
    await createArticle({ slug: `draft-${tag}`, locale: "en", title: `Secret draft ${tag}`, answer: "Not yet.", status: "draft" });
    const replica = freshReplica();
    const status = await replica.sync();
    expect(status).toMatchObject({ primaryReachable: true, stale: false, failures: 0 });
    expect(status.kbVersion).toBe(status.primaryVersion);
    const result = await replica.search(tag, { locale: "en" });
    expect(result.hits.map((h) => h.slug)).toEqual([`ship-${tag}`]);
    expect(result.kbVersion).toBe(status.kbVersion);
  });

  it("applies an incremental update, and removes a deleted article through its tombstone", async () => {
    const tag = unique();
    const { id } = await createArticle({ slug: `gift-${tag}`, locale: "en", title: `Gift wrapping ${tag}`, answer: "We wrap gifts for free." });
    const replica = freshReplica();
    const first = await replica.sync();
    expect((await replica.search(`wrapping ${tag}`)).hits).toHaveLength(1);

    await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { title: `Gift boxes ${tag}`, questions: ["Can you put my order in a gift box?"] } });
    const second = await replica.sync();
    expect(second.kbVersion).toBeGreaterThan(first.kbVersion);
    const [hit] = (await replica.search(`gift box ${tag}`)).hits;
    expect(hit).toMatchObject({ title: `Gift boxes ${tag}`, questions: ["Can you put my order in a gift box?"] });

    expect((await admin(`/articles/${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBe(200);
    await replica.sync();
    expect((await replica.search(`gift ${tag}`)).hits).toEqual([]);
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
    const back = await replica.sync();
    expect(back).toMatchObject({ primaryReachable: true, stale: false, failures: 0 });
    expect((await replica.search(`outage ${tag}`)).hits[0]?.answer).toBe("Second version.");
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

  it("applies a sync atomically: searches between its pages still see the old copy", async () => {
    const tag = unique();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createArticle({ slug: `atom-${i}-${tag}`, locale: "en", title: `Atomic ${tag} v1`, answer: "Old." })).id);
    const replica = freshReplica();
    await replica.sync();
    for (const id of ids) await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: { answer: "New." } });

    const seen = await runInDurableObject(replica, async (instance: KnowledgeReplicaDO) => {
      const store = (instance as unknown as { store: Parameters<typeof pullChanges>[1] & { search(q: string, o: object): Array<{ answer: string }> } }).store;
      const primary = openPrimary({ url: inject("libsqlUrl"), timeoutMs: 2000 });
      const answers: string[][] = [];
      // Two articles per page: between pages, a search must still see only the old copy.
      await pullChanges({ changesSince: async (cursor, limit) => {
        answers.push(store.search(`atomic ${tag}`, { limit: 10 }).map((h) => h.answer));
        return changesSince(primary, cursor, limit);
      } }, store, Date.now, 2);
      answers.push(store.search(`atomic ${tag}`, { limit: 10 }).map((h) => h.answer));
      return answers;
    });
    expect(seen.length).toBeGreaterThan(3);
    for (const answers of seen.slice(0, -1)) expect(answers).toEqual(Array(5).fill("Old."));
    expect(seen.at(-1)).toEqual(Array(5).fill("New."));
  });
});

describe("replica search", () => {
  const tag = unique();
  const replica = freshReplica();

  it("finds English articles by title, example questions and answer", async () => {
    await createArticle({ slug: `refunds-${tag}`, locale: "en", title: "How long does a refund take?", answer: "Refunds reach your card within 5-10 business days.", questions: ["When will I get my money back?"] });
    await createArticle({ slug: `refunds-${tag}`, locale: "zh-CN", title: "退款需要多长时间？", answer: "收到退货后，退款会在 5-10 个工作日内退回原支付账户。", questions: ["钱什么时候能退回来？"] });
    await createArticle({ slug: `orders-${tag}`, locale: "zh-CN", title: "如何查看订单状态", answer: "登录后进入“我的订单”即可查看物流信息。", questions: ["我的包裹到哪了"] });
    await createArticle({ slug: `iphone-${tag}`, locale: "zh-CN", title: "iPhone 保修说明", answer: "iPhone 享受一年保修。", questions: ["苹果手机坏了怎么办"] });
    await replica.sync();
    const byQuestion = await replica.search("when do I get my money back", { locale: "en" });
    expect(byQuestion.hits[0]?.slug).toBe(`refunds-${tag}`);
    const stemmed = await replica.search("REFUNDED", { locale: "en" });
    expect(stemmed.hits.map((h) => h.slug)).toContain(`refunds-${tag}`);
  });

  it.each([
    ["退款", `refunds-${tag}`],
    ["订单", `orders-${tag}`],
    ["我想申请退款", `refunds-${tag}`],
    ["包裹到哪了", `orders-${tag}`],
  ])("finds Chinese articles for %s, two-character words included", async (query, slug) => {
    const result = await replica.search(query, { locale: "zh-CN" });
    expect(result.hits[0]?.slug).toBe(slug);
  });

  it("handles mixed-script queries", async () => {
    expect((await replica.search("iPhone 保修", { locale: "zh" })).hits[0]?.slug).toBe(`iphone-${tag}`);
  });

  it("filters by locale and returns the KB version and freshness with the hits", async () => {
    const zh = await replica.search("refund 退款", { locale: "zh-CN" });
    expect(zh.hits.every((h) => h.locale === "zh-CN")).toBe(true);
    expect(zh).toMatchObject({ stale: false });
    expect(zh.kbVersion).toBeGreaterThan(0);
    expect(zh.hits[0]!.score).toBeGreaterThan(0);
  });

  it("returns nothing, without error, for queries with nothing searchable", async () => {
    for (const q of ["", "???", "the and of", '" OR * NEAR(']) expect((await replica.search(q)).hits).toEqual([]);
  });
});

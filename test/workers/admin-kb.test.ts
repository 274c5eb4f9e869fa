import { describe, expect, it } from "vitest";
import { admin, call, createArticle, unique } from "./helpers.ts";

const article = (tag: string) => ({ slug: `returns-${tag}`, locale: "en", title: "How do I polish brass lanterns?", answer: "Use a soft cloth and **brass polish**.", questions: ["My lantern looks dull"], tags: ["lanterns"] });

describe("admin KB API", () => {
  it.each([
    ["no key", {}, 401, "unauthorized"],
    ["a wrong key", { Authorization: "Bearer not-the-admin-key-at-all" }, 401, "operator_key_invalid"],
    ["a conversation token instead of the key", { Authorization: "Bearer v1.9999999999.abc" }, 401, "operator_key_invalid"],
  ])("refuses %s", async (_name, headers, status, code) => {
    const res = await call("/v1/admin/kb/articles", { headers });
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("creates a draft, refuses a duplicate, publishes it, updates it and deletes it", async () => {
    const tag = unique();
    const created = await admin("/articles", { method: "POST", body: article(tag) });
    expect(created.status).toBe(201);
    const body = await created.json<{ id: string; status: string; version: number; questions: string[] }>();
    expect(body).toMatchObject({ id: `en:returns-${tag}`, status: "draft", questions: ["My lantern looks dull"] });

    expect((await admin("/articles", { method: "POST", body: article(tag) })).status).toBe(409);

    const path = `/articles/${encodeURIComponent(body.id)}`;
    const published = await (await admin(`${path}/publish`, { method: "POST" })).json<{ status: string; version: number }>();
    expect(published.status).toBe("published");
    expect(published.version).toBeGreaterThan(body.version);

    const updated = await (await admin(path, { method: "PATCH", body: { title: "Polishing brass lanterns" } })).json<{ title: string; answer: string; status: string; questions: string[] }>();
    expect(updated).toMatchObject({ title: "Polishing brass lanterns", answer: "Use a soft cloth and **brass polish**.", status: "published", questions: ["My lantern looks dull"] });

    expect((await admin(path, { method: "DELETE" })).status).toBe(200);
    expect((await admin(path)).status).toBe(404);
    expect((await admin(path, { method: "DELETE" })).status).toBe(404);
    // A deleted slug can be created again.
    expect((await admin("/articles", { method: "POST", body: article(tag) })).status).toBe(201);
  });

  it.each([
    ["a bad slug", { ...article("x"), slug: "Bad Slug" }, "validation_failed"],
    ["an unknown field", { ...article("x"), author: "me" }, "unknown_field"],
    ["an empty answer", { ...article("x"), answer: "  " }, "validation_failed"],
  ])("rejects an article with %s", async (_name, body, code) => {
    const res = await admin("/articles", { method: "POST", body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("rejects an empty update and a malformed id", async () => {
    const { id } = await createArticle(article(unique()));
    expect((await admin(`/articles/${encodeURIComponent(id)}`, { method: "PATCH", body: {} })).status).toBe(400);
    expect((await admin("/articles/not-an-id")).status).toBe(400);
    expect((await admin(`/articles/${encodeURIComponent("en:no-such-article")}`)).status).toBe(404);
  });

  it("lists live articles a page at a time", async () => {
    const tag = unique();
    for (const locale of ["en", "zh-CN", "fr"]) await createArticle({ ...article(tag), locale });
    const first = await (await admin(`/articles?limit=2&locale=zh-CN`)).json<{ articles: Array<{ id: string; locale: string }>; nextAfter: string | null }>();
    expect(first.articles).toHaveLength(2);
    expect(first.articles.every((a) => a.locale === "zh-CN")).toBe(true);
    const next = await (await admin(`/articles?limit=2&locale=zh-CN&after=${encodeURIComponent(first.nextAfter!)}`)).json<{ articles: Array<{ id: string }> }>();
    expect(next.articles[0]!.id > first.articles[1]!.id).toBe(true);
    const fr = await (await admin(`/articles?locale=fr&limit=500`)).json<{ articles: Array<{ id: string; questionCount: number }> }>();
    expect(fr.articles.find((a) => a.id === `fr:returns-${tag}`)).toMatchObject({ questionCount: 1 });
  });

  it("pings the replicas after a write and reports each region's version and lag", async () => {
    await admin("/sync", { method: "POST" });
    const { version } = await createArticle(article(unique()));
    // No explicit sync: the write itself pinged every region's replica.
    const deadline = Date.now() + 5_000;
    let versions: number[] = [];
    while (Date.now() < deadline) {
      versions = (await (await admin("/status")).json<{ replicas: Array<{ kbVersion: number }> }>()).replicas.map((r) => r.kbVersion);
      if (versions.every((v) => v >= version)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(versions.every((v) => v >= version)).toBe(true);

    const sync = await (await admin("/sync", { method: "POST" })).json<{ replicas: Array<{ region: string; primaryReachable: boolean }> }>();
    // Every shard of every region (three in apac here: REPLICA_SHARDS="apac=3").
    expect(sync.replicas.map((r) => r.region)).toEqual(["wnam", "enam", "sam", "weur", "eeur", "apac", "apac", "apac", "oc", "afr", "me"]);
    expect(sync.replicas.every((r) => r.primaryReachable)).toBe(true);
    const status = await (await admin("/status")).json<{ primary: { reachable: boolean; version: number }; replicas: Array<{ kbVersion: number; versionsBehind: number; lagSeconds: number }> }>();
    expect(status.primary.reachable).toBe(true);
    expect(status.replicas).toHaveLength(11);
    for (const r of status.replicas) {
      expect(r.versionsBehind).toBe(0);
      expect(r.lagSeconds).toBeGreaterThanOrEqual(0);
    }
  });
});

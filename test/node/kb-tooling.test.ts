// The KB command line's import and export on a real libSQL file.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { allArticles, importArticles, kbStats, kbVersion, type KbDatabase } from "../../src/kb/articles.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { exportJsonl, exportMarkdown } from "../../scripts/kb/export.ts";
import { readSource } from "../../scripts/kb/source.ts";
import { runQueries } from "../../scripts/eval.ts";
import { buildReplica } from "../../scripts/eval/replica.ts";
import { loadDataset } from "../../scripts/eval/datasets.ts";
import { readFileSync } from "node:fs";
import { intentSlug } from "../../src/kb/import/formats.ts";

let dir: string;
let db: KbDatabase;

function write(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(resolve(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

async function freshKb(name: string): Promise<KbDatabase> {
  const kb = openKb(`file:${join(dir, name)}`);
  await migrateKb(kb);
  return kb;
}

const strip = (articles: Awaited<ReturnType<typeof allArticles>>) => articles.map(({ version: _v, updatedAt: _u, ...rest }) => rest);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "kb-"));
  db = await freshKb("kb.db");
  write(
    "content/en/refund-time.md",
    `---\ntitle: How long does a refund take?\ntags: [refunds]\nquestions:\n  - When will I get my money back?\n  - How long do refunds take?\n---\nRefunds reach your account **5–10 business days** after we receive the return.\n`,
  );
  write(
    "content/zh-CN/refund-time.md",
    `---\ntitle: 退款需要多长时间？\ntags: [refunds]\nquestions:\n  - 钱什么时候退回来？\n  - 退款多久到账\n---\n我们收到退货后，退款会在 **5–10 个工作日**内退回您的账户。\n`,
  );
  write("content/en/track-order.md", `---\nquestions: [Where is my parcel?]\n---\n# Track your order\n\nOpen **Orders** and select *Track*.\n`);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("KB import", () => {
  it("reads Markdown with front matter, taking the locale from the folder and the title from the heading", () => {
    const articles = readSource(join(dir, "content"), {});
    expect(articles.map((a) => [a.locale, a.slug, a.title])).toEqual([
      ["en", "refund-time", "How long does a refund take?"],
      ["en", "track-order", "Track your order"],
      ["zh-CN", "refund-time", "退款需要多长时间？"],
    ]);
    expect(articles[1]).toMatchObject({ answer: "Open **Orders** and select *Track*.", questions: ["Where is my parcel?"], status: "published" });
  });

  it("reads article CSV with quoted commas, quotes and newlines", () => {
    const file = write(
      "articles.csv",
      'slug,locale,title,answer,questions,tags,status\ngift-cards,en,"Gift cards, explained","Say ""hello""\nto gift cards.","Can I buy a gift card? | Do gift cards expire?","payments,gifts",draft\n',
    );
    expect(readSource(file, {})).toEqual([
      { slug: "gift-cards", locale: "en", title: "Gift cards, explained", answer: 'Say "hello"\nto gift cards.', questions: ["Can I buy a gift card?", "Do gift cards expire?"], tags: ["payments", "gifts"], status: "draft" },
    ]);
  });

  it("reads JSONL", () => {
    const file = write("a.jsonl", `${JSON.stringify({ slug: "x1", locale: "en", title: "X", answer: "Y", questions: ["q"] })}\n\n`);
    expect(readSource(file, {})).toMatchObject([{ slug: "x1", questions: ["q"], tags: [], status: "published" }]);
  });

  it("reads an intent CSV (text,label) as one article per label", () => {
    const file = write("intents/train.csv", "text,category\nWhere is my card?,card_arrival\nMy card has not come,card_arrival\nI lost my card,lost_or_stolen_card\n");
    const articles = readSource(file, { dataset: "banking77" });
    expect(articles.map((a) => [a.slug, a.title, a.questions.length, a.tags])).toEqual([
      ["card_arrival", "Card arrival", 2, ["banking77", "intent"]],
      ["lost_or_stolen_card", "Lost or stolen card", 1, ["banking77", "intent"]],
    ]);
  });

  it("reads intent labels in Chinese as stable ASCII slugs, with the label as the title", () => {
    const csv = "text,label\n七天内可以退货吗,买家咨询退换货规则\n换货要怎么操作,买家咨询退换货规则\n什么时候发货,买家咨询发货时间\n";
    const first = readSource(write("zh-intents/train.csv", csv), { dataset: "shop" });
    const again = readSource(write("zh-intents/copy.csv", csv), { dataset: "shop" });
    expect(first.map((a) => [a.slug, a.locale, a.title, a.questions])).toEqual([
      [intentSlug("买家咨询退换货规则"), "zh-CN", "买家咨询退换货规则", ["七天内可以退货吗", "换货要怎么操作"]],
      [intentSlug("买家咨询发货时间"), "zh-CN", "买家咨询发货时间", ["什么时候发货"]],
    ]);
    expect(first.map((a) => a.slug)).toEqual(again.map((a) => a.slug));
    for (const a of first) expect(a.slug).toMatch(/^intent-[0-9a-z]{7}$/);
    expect(new Set(first.map((a) => a.slug)).size).toBe(2);
    expect(intentSlug("VIP 会员权益")).toMatch(/^vip-[0-9a-z]{7}$/);
    expect(intentSlug("card_arrival")).toBe("card_arrival");
  });

  it("the eval answers a Chinese-labelled intent file's questions with the article its label maps to", async () => {
    const labels = ["买家咨询退换货规则", "买家咨询发货时间", "买家咨询优惠券使用"];
    const rows = [
      ["七天内可以退货吗", labels[0]],
      ["不想要了能退吗", labels[0]],
      ["退货流程是什么", labels[0]],
      ["什么时候发货", labels[1]],
      ["下单后多久发出", labels[1]],
      ["今天能发货吗", labels[1]],
      ["优惠券怎么用", labels[2]],
      ["领的券用不了", labels[2]],
      ["满减券能叠加吗", labels[2]],
    ];
    const replica = await buildReplica({ path: write("zh-intents/train.csv", ["text,label", ...rows.map((r) => r.join(","))].join("\n")), options: { dataset: "shop" } });
    try {
      const outcomes = await runQueries(replica, [
        { text: "七天内可以退货吗", label: labels[0]! },
        { text: "優惠券怎麼用", label: labels[2]! },
      ]);
      expect(outcomes.map((o) => [o.gold, o.answered])).toEqual([
        [intentSlug(labels[0]!), intentSlug(labels[0]!)],
        [intentSlug(labels[2]!), intentSlug(labels[2]!)],
      ]);
    } finally {
      replica.close();
    }
  });

  it("builds the small CLINC150 KB for the eval: the same seed gives the same intents, with their test queries and off-topic ones", () => {
    const a = loadDataset("clinc150-small", {}, { intents: 12, examples: 3, seed: 5 });
    const b = loadDataset("clinc150-small", {}, { intents: 12, examples: 3, seed: 5 });
    const rows = readFileSync(a.train.path, "utf8").trim().split("\n").slice(1);
    const labels = new Set(rows.map((r) => r.slice(r.lastIndexOf(",") + 1)));
    expect(rows).toHaveLength(36);
    expect(labels.size).toBe(12);
    expect(readFileSync(b.train.path, "utf8")).toBe(readFileSync(a.train.path, "utf8"));
    const inScope = a.test.filter((q) => q.label !== null);
    expect(new Set(inScope.map((q) => q.label))).toEqual(labels);
    expect(inScope).toHaveLength(12 * 30);
    expect(a.test.filter((q) => q.label === null).length).toBeGreaterThan(300);
    expect(loadDataset("clinc150-small", {}, { intents: 12, examples: 3, seed: 6 }).test).not.toEqual(a.test);
    expect(() => loadDataset("clinc150-small", {}, { intents: 1 })).toThrow(/--intents/);
  });

  it("reads a CLINC150-style JSON file, one split at a time", () => {
    const file = write("clinc.json", JSON.stringify({ train: [["what is my balance", "balance"], ["how much money do i have", "balance"]], test: [["balance please", "balance"]] }));
    expect(readSource(file, {})[0]).toMatchObject({ slug: "balance", questions: ["what is my balance", "how much money do i have"] });
    expect(readSource(file, { split: "test" })[0]!.questions).toEqual(["balance please"]);
  });

  it("is idempotent: importing the same content again changes nothing, not even the version", async () => {
    const inputs = readSource(join(dir, "content"), {});
    expect(await importArticles(db, inputs, 1)).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const version = await kbVersion(db);
    expect(await importArticles(db, inputs, 2)).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(await kbVersion(db)).toBe(version);
    const changed = inputs.map((a) => (a.slug === "track-order" ? { ...a, answer: "Open Orders, then Track." } : a));
    expect(await importArticles(db, changed, 3)).toEqual({ created: 0, updated: 1, unchanged: 2 });
    expect(await kbVersion(db)).toBe(version + 1);
    expect((await allArticles(db)).length).toBe(3);
  });

  it("round-trips through export as JSONL and as Markdown", async () => {
    await importArticles(db, readSource(join(dir, "content"), {}), 1);
    const original = strip(await allArticles(db));
    exportJsonl(await allArticles(db), join(dir, "out.jsonl"));
    exportMarkdown(await allArticles(db), join(dir, "out-md"));
    for (const [name, source] of [["a.db", join(dir, "out.jsonl")], ["b.db", join(dir, "out-md")]] as const) {
      const copy = await freshKb(name);
      await importArticles(copy, readSource(source, {}), 5);
      expect(strip(await allArticles(copy))).toEqual(original);
    }
  });
});

describe("a bad import changes nothing", () => {
  const kbCli = (...args: string[]) => {
    const env: Record<string, string | undefined> = { ...process.env, LIBSQL_URL: `file:${join(dir, "kb.db")}` };
    return spawnSync(process.execPath, [resolve("scripts/kb.ts"), ...args], { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
  };

  it.each([
    ["a Markdown file without a title", "content/en/zz-bad.md", "---\nquestions: [x]\n---\nno heading here\n", "zz-bad.md:1: title"],
    ["broken YAML", "content/en/zz-bad.md", "---\ntitle: [unclosed\n---\nbody\n", "zz-bad.md:2: front matter is not valid YAML"],
    ["a CSV row with a missing field", "content/zz.csv", "slug,locale,title,answer\nok,en,Fine,Fine\nbad,en,Missing\n", "zz.csv:3: expected 4 fields, found 3"],
    ["a JSONL line that is not JSON", "content/zz.jsonl", `${JSON.stringify({ slug: "fine", locale: "en", title: "t", answer: "a" })}\n{oops\n`, "zz.jsonl:2: not valid JSON"],
    ["an article defined twice", "content/dup.jsonl", `${JSON.stringify({ slug: "refund-time", locale: "en", title: "t", answer: "a" })}\n`, "article en:refund-time is also defined in"],
    ["an invalid slug", "content/zz.jsonl", `${JSON.stringify({ slug: "Bad Slug!", locale: "en", title: "t", answer: "a" })}\n`, "zz.jsonl:1: slug: slug must be"],
  ])("%s: the CLI names the file and line, exits 1, and the KB is as it was", async (_name, path, text, message) => {
    await importArticles(db, readSource(join(dir, "content"), {}), 1);
    const before = { stats: await kbStats(db), articles: await allArticles(db) };
    write(path, text);
    const run = kbCli("import", join(dir, "content"));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("nothing was changed");
    expect(run.stderr).toContain(message);
    expect({ stats: await kbStats(db), articles: await allArticles(db) }).toEqual(before);
  });

  it("the CLI imports an intent CSV whose labels are Chinese", async () => {
    const file = write("zh.csv", "text,label\n七天内可以退货吗,买家咨询退换货规则\n什么时候发货,买家咨询发货时间\n");
    const run = kbCli("import", file);
    expect(run.stderr).not.toContain("slug must be");
    expect(run.stdout).toContain("2 created");
    expect((await allArticles(db)).map((a) => [a.id, a.title])).toEqual(
      [
        [`zh-CN:${intentSlug("买家咨询发货时间")}`, "买家咨询发货时间"],
        [`zh-CN:${intentSlug("买家咨询退换货规则")}`, "买家咨询退换货规则"],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
  });

  it("the CLI imports, lists and reports stats", () => {
    expect(kbCli("import", join(dir, "content")).stdout).toContain("3 created");
    expect(kbCli("list").stdout).toContain("zh-CN:refund-time");
    expect(JSON.parse(kbCli("stats").stdout)).toMatchObject({ version: 3, questions: 5 });
  });
});

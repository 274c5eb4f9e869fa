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

  it("the CLI imports, lists and reports stats", () => {
    expect(kbCli("import", join(dir, "content")).stdout).toContain("3 created");
    expect(kbCli("list").stdout).toContain("zh-CN:refund-time");
    expect(JSON.parse(kbCli("stats").stdout)).toMatchObject({ version: 3, questions: 5 });
  });
});

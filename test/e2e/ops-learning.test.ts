// What the KB learned, on /ops in Chromium against the real local stack: the learning panel
// counts each language's learned questions and follows an editor's approve and reject (made
// through the admin API: /ops has no review buttons), and a gap said to "belong" to an
// existing article teaches it the gap's questions (active at once) and leaves the list.
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { ADMIN_KEY, adminKb, conversation, releasePending } from "./api.ts";
import { learnedWhen, type Learned } from "./learned.ts";
import { opsSignIn, watch } from "./pages.ts";

// Letters only: a customer's digits are redacted from the examples the gap report shows.
const tag = [...randomUUID().replaceAll("-", "").slice(0, 8)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
const browser = useBrowser();

/** The learned-question counts of English, as the admin API gives them. */
async function englishCounts(): Promise<{ active: number; candidates: number }> {
  const res = await adminKb("/learned/stats");
  expect(res.status).toBe(200);
  const { languages } = (await res.json()) as { languages: Array<{ language: string; active: number; candidates: number }> };
  return languages.find((l) => l.language === "en") ?? { active: 0, candidates: 0 };
}

/** The panel's line for English (the panel loads with the page; a reload reads it again). */
const englishLine = (page: Page) => page.locator("#learning li", { hasText: /^en:/ }).textContent();

describe("learning on /ops", () => {
  it("counts each language's learned questions, and follows an editor's approve and reject", async () => {
    // Two customers mark an answer helpful: each a vote for their wording, waiting as a candidate.
    const wordings = ["I forgot my password, how do I set a new one?", "How do I change the password of my account?"];
    const candidates: Learned[] = [];
    for (const [i, text] of wordings.entries()) {
      const customer = await conversation({ region: "weur", ip: `198.51.100.${31 + i}` });
      const reply = await customer.ask(text);
      expect(reply.meta.decision).toBe("answer");
      await customer.helpful(reply.seq);
      const articleId = reply.meta.citations![0]!.articleId;
      const [learned] = (await learnedWhen(articleId, (items) => items.some((l) => l.text === text))).filter((l) => l.text === text);
      expect(learned).toMatchObject({ status: "candidate", confirmations: 1 });
      candidates.push(learned!);
    }

    const context = await browser().newContext({ viewport: { width: 1360, height: 1200 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = watch(page);
    const before = await englishCounts();
    await opsSignIn(page, ADMIN_KEY);
    await expect.poll(() => englishLine(page)).toContain(`${before.active} active, ${before.candidates} waiting`);

    // An editor approves one (it turns active) and rejects the other (it never will).
    const [approve, reject] = candidates;
    expect((await adminKb(`/learned/${approve!.id}/approve`, "POST")).status).toBe(200);
    expect((await adminKb(`/learned/${reject!.id}/reject`, "POST")).status).toBe(200);
    const after = await englishCounts();
    expect(after).toMatchObject({ active: before.active + 1, candidates: before.candidates - 2 });
    await page.reload();
    await expect.poll(() => englishLine(page)).toContain(`${after.active} active, ${after.candidates} waiting`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a gap said to belong to an article teaches it the gap's questions, active at once, and leaves the list", async () => {
    // Questions the KB cannot answer yet make a gap (in words no article uses: "Do you repair …"
    // came within 0.03 of answering with e2e/learning's lantern-repair article) …
    const questions = [`Do you retune ${tag} harmonicas?`, `Can someone retune my ${tag} harmonica?`];
    const customer = await conversation({ region: "weur", ip: "198.51.100.33" });
    for (const q of questions) {
      const reply = await customer.ask(q);
      expect(reply.meta.decision, JSON.stringify(reply.meta)).not.toBe("answer");
    }
    // … and only then an article that answers them.
    const created = await adminKb("/articles", "POST", { slug: `harmonica-tuning-${tag}`, locale: "en", status: "published", title: `Harmonica tuning ${tag}`, answer: "We retune harmonicas within two weeks.", questions: [`Harmonica tuning ${tag}`] });
    expect(created.status).toBe(201);
    await releasePending();
    const articleId = `en:harmonica-tuning-${tag}`;

    // Events reach the region's gap report a moment later; /ops reads the report at sign-in.
    const inReport = async () => ((await (await adminKb("/gaps?window=1h")).json()) as { gaps: Array<{ examples: string[] }> }).gaps.some((g) => g.examples.some((e) => e.includes(tag)));
    await expect.poll(inReport).toBe(true);

    const context = await browser().newContext({ viewport: { width: 1100, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = watch(page);
    await opsSignIn(page, inject("agentKeys").editor);
    const gap = page.locator(".gap", { hasText: tag });
    await expect.poll(() => gap.count()).toBe(1);
    await gap.locator("input.belongs-article").fill(articleId);
    await gap.locator("button.belongs-to").click();
    await expect.poll(() => page.locator("#gap-message").textContent()).toBe(`The gap's questions now teach ${articleId}.`);
    await expect.poll(() => gap.count()).toBe(0);

    // The editor's word: the gap's questions are the article's, active, without customer votes.
    const learned = await learnedWhen(articleId, (items) => items.length >= questions.length);
    expect(learned.map((l) => l.text).sort()).toEqual([...questions].sort());
    for (const l of learned) expect(l).toMatchObject({ status: "active", sources: { editor: 1 } });
    expect(problems).toEqual([]);
    await context.close();
  });
});

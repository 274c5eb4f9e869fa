// The chat page teaching the KB, in Chromium against the real local stack: a clarification's
// quick replies send `choice` over the WebSocket, the reply answers from the picked article,
// and the pick reaches the learned questions (the earlier question, redacted), in English and
// Chinese; helpful and not-helpful on answers are votes for the article each cited. Each
// customer writes from an address of their own.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { learnedWhen } from "./learned.ts";
import { openChat, say, watch, wsFrames, type Frame } from "./pages.ts";

const browser = useBrowser();

interface Reply {
  seq: number;
  role: string;
  meta?: { decision?: string; citations?: Array<{ articleId: string; title: string }>; suggestions?: Array<{ articleId: string; title: string }> };
}

/** The bot's replies among the frames the page received. */
const replies = (received: Frame[]) => received.flatMap((f) => (f.type === "message" && (f.message as Reply).role === "assistant" ? [f.message as Reply] : []));
const bubbles = (page: Page) => page.locator("#log li.msg.assistant");

/** A customer on the chat page from their own address, with the page's WebSocket frames. */
async function customer(lang: string, ip: string) {
  const context = await browser().newContext({ locale: lang === "en" ? "en-US" : lang, extraHTTPHeaders: { "CF-Connecting-IP": ip } });
  const page = await context.newPage();
  const problems = watch(page);
  const frames = wsFrames(page);
  await openChat(page, lang);
  return { context, page, problems, frames };
}

/**
 * The customer asks, is offered articles ("Did you mean…?") and picks the first; checks the
 * pick went out as `choice` and was answered from that article. Returns the picked article.
 */
async function askAndPick(page: Page, frames: { sent: Frame[]; received: Frame[] }, question: string): Promise<{ articleId: string; title: string }> {
  const before = await bubbles(page).count();
  await say(page, question);
  await expect.poll(() => bubbles(page).count()).toBe(before + 1);
  const clarification = bubbles(page).nth(before);
  const offered = clarification.locator(".quick-reply:not(.person)");
  expect(await offered.count()).toBeGreaterThan(0);
  const seq = Number(await clarification.getAttribute("data-seq"));
  const title = (await offered.first().textContent())!;
  await offered.first().click();
  await expect.poll(() => bubbles(page).count()).toBe(before + 2);

  // The quick reply sent its title with the article and the seq of the reply that offered it …
  const chosen = replies(frames.received).find((r) => r.seq === seq)?.meta?.suggestions?.find((s) => s.title === title);
  expect(chosen).toBeDefined();
  const pick = frames.sent.find((f) => f.type === "message" && f.text === title);
  expect(pick?.choice).toEqual({ articleId: chosen!.articleId, inReplyTo: seq });
  // … and the reply answers from that article.
  expect(replies(frames.received).at(-1)?.meta?.citations?.[0]?.articleId).toBe(chosen!.articleId);
  expect(await bubbles(page).nth(before + 1).locator(".source").textContent()).toContain(chosen!.title);
  return chosen!;
}

describe("the chat page teaches the KB", () => {
  it.each([
    ["en", "I'd like to send this jacket back, my email is jane.roe@example.com", "jane.roe@example.com", "198.51.100.21"],
    ["zh-CN", "我想把这件外套寄回去，我的邮箱是 lee.na@example.com", "lee.na@example.com", "198.51.100.22"],
  ])("a clarification's quick reply sends choice (%s): answered from the picked article, and the earlier question learned, redacted", async (lang, question, email, ip) => {
    const { context, page, problems, frames } = await customer(lang, ip);
    const chosen = await askAndPick(page, frames, question);

    // The pick is one customer's vote: the earlier question, without the address, waits as a candidate.
    const redacted = question.replace(email, "[email]");
    const learned = await learnedWhen(chosen.articleId, (items) => items.some((l) => l.text === redacted));
    expect(learned.find((l) => l.text === redacted)).toMatchObject({ status: "candidate", confirmations: 1, sources: { pick: 1 } });
    expect(JSON.stringify(learned)).not.toContain(email);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("the same pick by a second customer (LEARN_MIN_CONFIRMATIONS = 2 on the stack) makes the question active", async () => {
    const question = "Can I send back this jacket? It does not fit";
    const picked: string[] = [];
    for (const ip of ["198.51.100.25", "198.51.100.26"]) {
      const { context, page, problems, frames } = await customer("en", ip);
      picked.push((await askAndPick(page, frames, question)).articleId);
      expect(problems).toEqual([]);
      await context.close();
      const [learned] = (await learnedWhen(picked[0]!, (items) => items.some((l) => l.text === question && l.confirmations === picked.length))).filter((l) => l.text === question);
      expect(learned).toMatchObject(picked.length === 1 ? { status: "candidate", confirmations: 1 } : { status: "active", confirmations: 2, sources: { pick: 2 } });
    }
    expect(picked[1]).toBe(picked[0]);
  });

  it("records helpful and not-helpful on answers as votes for the article each cited", async () => {
    const { context, page, problems, frames } = await customer("en", "198.51.100.23");
    const [helpfulQuestion, unhelpfulQuestion] = ["How can I reset the password of my account?", "When will I get my money back?"];
    await say(page, helpfulQuestion);
    await expect.poll(() => bubbles(page).count()).toBe(1);
    await say(page, unhelpfulQuestion);
    await expect.poll(() => bubbles(page).count()).toBe(2);
    const [first, second] = replies(frames.received).map((r) => r.meta);
    expect([first?.decision, second?.decision]).toEqual(["answer", "answer"]);

    const marks = (n: number) => bubbles(page).nth(n).locator(".feedback-button");
    await marks(0).and(page.locator('[data-helpful="true"]')).click();
    await marks(1).and(page.locator('[data-helpful="false"]')).click();
    await expect.poll(() => page.locator(".feedback-button[aria-pressed=true]").count()).toBe(2);

    const helpful = await learnedWhen(first!.citations![0]!.articleId, (items) => items.some((l) => l.text === helpfulQuestion));
    expect(helpful.find((l) => l.text === helpfulQuestion)).toMatchObject({ status: "candidate", confirmations: 1, notHelpful: 0, sources: { helpful: 1 } });
    const unhelpful = await learnedWhen(second!.citations![0]!.articleId, (items) => items.some((l) => l.text === unhelpfulQuestion));
    expect(unhelpful.find((l) => l.text === unhelpfulQuestion)).toMatchObject({ status: "candidate", confirmations: 0, notHelpful: 1, sources: { not_helpful: 1 } });
    expect(problems).toEqual([]);
    await context.close();
  });
});

// The ops dashboard in Chromium against the real local stack: traffic answered from the KB,
// a few questions it cannot answer, and some replies degraded by the replica-down fault,
// then /ops signed in as an admin (every panel, in English and Chinese, no CSP violation),
// and as a KB editor (the gaps only, and a draft made from one). Screenshots go to
// test-results/ for a person to look at.
import { mkdirSync } from "node:fs";
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ADMIN_KEY, admin, adminKb, conversation } from "./api.ts";
import { launchBrowser } from "./browser.ts";
import { opsSignIn, watch } from "./pages.ts";

const baseUrl = inject("baseUrl");
const SHOTS = "test-results";
let browser: Browser;

/** A conversation in weur (the dev header stands in for a location). */
const inWeur = () => conversation({ region: "weur" });

const tile = (page: Page, kpi: string) => page.locator(`[data-kpi="${kpi}"] .value`);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  // Traffic in weur: answered questions in English and Chinese, two it cannot answer …
  const en = await inWeur();
  for (const q of ["How do I reset my password?", "How long does a refund take?", "Can I change my delivery address?"]) expect((await en.ask(q)).meta.mode).toBe("normal");
  const zh = await inWeur();
  await zh.ask("我的包裹到哪了？");
  const lost = await inWeur();
  await lost.ask("Can you repair my telescope lens? Write to jane.doe@example.com");
  await lost.ask("Can you repair a telescope lens?");
  // … and, with the region's replica down, degraded replies.
  expect((await admin("/faults", "PUT", { faults: ["replica-down"] })).status).toBe(200);
  try {
    const down = await inWeur();
    for (const q of ["How do I reset my password?", "Where is my parcel?"]) expect((await down.ask(q)).meta.mode).toBe("degraded");
  } finally {
    await admin("/faults", "DELETE");
  }
  // Events reach the RegionOpsDO in batches, a moment later.
  const turns = async () => ((await (await fetch(`${baseUrl}/v1/ops/summary?window=1h`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { overall: { turns: number } }).overall.turns;
  for (const deadline = Date.now() + 15_000; (await turns()) < 8; ) {
    if (Date.now() > deadline) throw new Error("the turns never reached the ops summary");
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await browser?.close();
});

describe("the ops dashboard", () => {
  it("shows live KPIs, charts, decisions, degraded reasons and the gaps to an admin, in English and Chinese", async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1500 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = watch(page);
    await opsSignIn(page, ADMIN_KEY);
    await expect.poll(() => tile(page, "turns").textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
    expect(Number(await tile(page, "turns").textContent())).toBeGreaterThanOrEqual(8);
    await expect.poll(() => tile(page, "degraded").textContent()).toMatch(/%$/);
    expect(await tile(page, "degraded").textContent()).not.toBe("0%");
    expect(await tile(page, "latency").textContent()).toMatch(/ms|s/);
    // Four uPlot charts, each drawn on a canvas with its legend.
    expect(await page.locator(".plot .uplot canvas").count()).toBe(4);
    expect(await page.locator("#chart-latency .u-legend").textContent()).toContain("p99");
    expect(await page.locator("#decisions").textContent()).toContain("Answered");
    expect(await page.locator("#degraded-reasons").textContent()).toContain("Replica unavailable");
    // One Worker version answered everything here: no version split (ops-counts shows two).
    expect(await page.locator("#versions-card").isHidden()).toBe(true);
    await expect.poll(() => page.locator(".gap").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const gaps = await page.locator("#gap-list").textContent();
    expect(gaps).toContain("telescope");
    expect(gaps).toContain("[email]");
    expect(gaps).not.toContain("jane.doe");
    await page.screenshot({ path: `${SHOTS}/ops-dashboard-en.png`, fullPage: true });

    // One region: weur had all the traffic; apac none.
    await page.locator("#region").selectOption("apac");
    await expect.poll(() => tile(page, "turns").textContent()).toBe("0");
    await page.locator("#region").selectOption("weur");
    await expect.poll(async () => Number(await tile(page, "turns").textContent())).toBeGreaterThanOrEqual(8);

    await page.locator("#lang").click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Holdfast 运营看板");
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe("zh-CN");
    expect(await page.locator('[data-kpi="turns"] .label').textContent()).toBe("对话轮次");
    expect(await page.locator("#decisions").textContent()).toContain("已回答");
    expect(await page.locator(".plot .uplot canvas").count()).toBe(4);
    await expect.poll(() => page.locator("#gap-list").textContent()).toContain("被问到");
    await page.screenshot({ path: `${SHOTS}/ops-dashboard-zh.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("keeps the chosen region's figures when a poll for the region shown before answers late", async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, locale: "en-US" });
    const page = await context.newPage();
    // The sign-in's first poll (every region) is held until the test lets it go; the next
    // poll after it is held too, to look at the tiles when that first poll is over.
    const summary = (region: string | null) => (url: URL) => url.pathname === "/v1/ops/summary" && url.searchParams.get("window") === "1h" && url.searchParams.get("region") === region;
    const held = (match: (url: URL) => boolean) =>
      new Promise<Route>((resolve) => void page.route(match, (route) => resolve(route), { times: 1 }));
    const firstPoll = held(summary(null));
    await opsSignIn(page, ADMIN_KEY);
    const late = await firstPoll;
    await page.locator("#region").selectOption("apac");
    await expect.poll(() => tile(page, "turns").textContent()).toBe("0");
    // The next poll is scheduled once the sign-in's is over; it asks for apac.
    const nextPoll = held(summary("apac"));
    await late.continue();
    const next = await nextPoll;
    expect(await tile(page, "turns").textContent()).toBe("0");
    expect(await page.locator("#region").inputValue()).toBe("apac");
    await next.continue();
    await context.close();
  });

  it("shows the open KB release with its canary and stable arms, then how it closed", async () => {
    const staged = await adminKb("/articles", "POST", { slug: "ops-release-kites", locale: "en", title: "How do I fold a kite?", answer: "Fold it along the spars.", questions: ["How do I fold my kite?"], status: "published" });
    expect(((await staged.json()) as { staged: boolean }).staged).toBe(true);
    const opened = await adminKb("/releases", "POST", { percent: 5, guard: { autoPromote: false } });
    expect(opened.status).toBe(201);
    const { id } = (await opened.json()) as { id: string };
    const context = await browser.newContext({ viewport: { width: 1360, height: 1500 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = watch(page);
    try {
      await opsSignIn(page, ADMIN_KEY);
      await expect.poll(() => page.locator("#release-summary").textContent(), { timeout: 15_000 }).toContain(id);
      expect(await page.locator("#release-summary").textContent()).toMatch(/^Canary: .*5% of new conversations/);
      expect(await page.locator("#release-arms").textContent()).toContain("Signs of a wrong answer");
      expect(await page.locator("#release-arms thead").textContent()).toBe("CanaryStable");
    } finally {
      await adminKb(`/releases/${id}/rollback`, "POST");
      await adminKb("/releases/pending", "DELETE");
    }
    await expect.poll(() => page.locator("#release-summary").textContent(), { timeout: 15_000 }).toMatch(/^Rolled back: .*rolled back by hand/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a KB editor the gaps only, and makes a draft article from one", async () => {
    // A kb_editor made by the global setup.
    const key = inject("agentKeys").editor;
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "en-US" });
    const page = await context.newPage();
    const problems = watch(page);
    await opsSignIn(page, key);
    await expect.poll(() => page.locator(".gap").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator("#ops").isHidden()).toBe(true);
    expect(await page.locator("#no-ops").isVisible()).toBe(true);
    const telescope = page.locator(".gap", { hasText: "telescope" });
    await telescope.locator("button.make-draft").click();
    await expect.poll(() => page.locator("#gap-message").textContent()).toMatch(/Draft article en:[a-z0-9-]+ created/);
    await expect.poll(() => telescope.locator(".draft").textContent()).toMatch(/^Draft en:/);
    await page.screenshot({ path: `${SHOTS}/ops-dashboard-editor.png`, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});

import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { ADMIN_KEY } from "./api.ts";
import { useBrowser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const browser = useBrowser();

async function say(page: Page, text: string, replies: number) {
  await page.getByLabel(/Your message|您的消息/).fill(text);
  await page.keyboard.press("Enter");
  await expect.poll(() => page.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(replies);
}

describe("customer chat page", () => {
  it("answers an English and a Chinese message on a phone-sized screen, and keeps the history across a reload", async () => {
    const context = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("online");

    await say(page, "How do I reset my password?", 1);
    await expect.poll(() => page.locator("#log li.msg.assistant").first().textContent()).toContain("Forgot password");
    await say(page, "我的包裹到哪了？", 2);
    await expect.poll(() => page.locator("#log li.msg.assistant").nth(1).textContent()).toContain("我的订单");
    expect(await page.locator("#log li.msg").count()).toBe(4);

    // Nothing overflows the phone-sized viewport horizontally.
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);

    await page.reload();
    await expect.poll(() => page.locator("#log li.msg").count()).toBe(4);
    const texts = await page.locator("#log li.msg .text").allTextContents();
    expect(texts[0]).toBe("How do I reset my password?");
    expect(texts[2]).toBe("我的包裹到哪了？");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("switches the interface to Simplified Chinese and works by keyboard alone", async () => {
    const context = await browser().newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("online");
    await page.locator("#lang").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#send").textContent()).toBe("发送");
    expect(await page.evaluate<string>("document.documentElement.lang")).toBe("zh-CN");
    // Tab from the language switch reaches the message box, Enter sends.
    await page.locator("#text").focus();
    await page.keyboard.type("你好");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator("#log li.msg.assistant").textContent()).toContain("您好");
    await context.close();
  });

  it.each([
    ["en-US", "Hi!", /[a-z]/i],
    ["zh-CN", "您好", /[\u4e00-\u9fff]/],
  ])("opens (%s) with a greeting and popular topics as quick replies; a topic asks that question", async (locale, greeting, script) => {
    const context = await browser().newContext({ locale });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    const welcome = page.locator("#log li.welcome");
    await expect.poll(() => welcome.textContent(), { timeout: 15_000 }).toContain(greeting);
    const topics = welcome.locator(".quick-reply");
    expect(await topics.count()).toBeGreaterThanOrEqual(3);
    const title = (await topics.first().textContent())!;
    expect(title).toMatch(script);
    await topics.first().click();
    await expect.poll(() => page.locator("#log li.msg.customer .text").last().textContent()).toBe(title);
    await expect.poll(() => page.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: `test-results/first-screen-${locale}.png` });
    await context.close();
  });

  it("offers suggested articles as quick replies, and a click asks that question", async () => {
    const page = await browser().newPage();
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("online");
    await page.locator("#text").fill("I'd like to send this jacket back");
    await page.keyboard.press("Enter");
    const quick = page.locator("#log li.msg .quick-reply").first();
    await expect.poll(() => quick.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const title = await quick.textContent();
    await quick.click();
    await expect.poll(() => page.locator("#log li.msg.customer .text").last().textContent()).toBe(title);
    await page.close();
  });

  it("falls back to HTTP when WebSockets cannot connect, and loses nothing", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    // Simulates a network that refuses WebSockets: every upgrade is closed at once.
    await page.routeWebSocket(/\/ws/, (ws) => ws.close());
    await page.goto(`${baseUrl}/`);
    await page.locator("#text").fill("Is anyone there?");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#log li.msg.assistant").count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator("#log li.msg.customer .text").allTextContents()).toEqual(["Is anyone there?"]);
    await expect.poll(() => page.locator("#status").getAttribute("data-state"), { timeout: 20_000 }).toBe("fallback");
    await context.close();
  });

  it("shows a limited-mode notice while replies are degraded, and removes it when service recovers", async () => {
    const faults = (body: unknown) =>
      fetch(`${baseUrl}/v1/admin/faults`, { method: body ? "PUT" : "DELETE", headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    const page = await browser().newPage();
    await page.goto(`${baseUrl}/?lang=en`);
    await expect.poll(() => page.locator("#status").getAttribute("data-state")).toBe("online");
    expect((await faults({ faults: ["replica-down"] })).status).toBe(200);
    await say(page, "How do I reset my password?", 1);
    await expect.poll(() => page.locator("#notice").isVisible()).toBe(true);
    expect(await page.locator("#notice").textContent()).toContain("Limited mode");
    await faults(null);
    await new Promise((r) => setTimeout(r, 700));
    await say(page, "How do I reset my password?", 2);
    await expect.poll(() => page.locator("#notice").isVisible()).toBe(false);
    await page.close();
  });

  it("serves an interactive API reference at /docs whose Try it out calls this server", async () => {
    const page = await browser().newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
    page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()}: ${new URL(r.url()).pathname}`));
    await page.goto(`${baseUrl}/docs`);
    await expect.poll(() => page.locator(".opblock").count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    expect(await page.locator(".opblock-summary-path").allTextContents()).toContain("/v1/conversations/{id}/messages");
    // Try it out on the liveness route, against the server that served the page.
    const health = page.locator(".opblock-get", { has: page.locator('.opblock-summary-path[data-path="/healthz"]') });
    await health.locator(".opblock-summary").click();
    await health.getByRole("button", { name: "Execute" }).click();
    await expect.poll(() => health.locator(".live-responses-table tr.response .response-col_status").first().textContent(), { timeout: 10_000 }).toContain("200");
    expect(await health.locator(".live-responses-table .microlight").first().textContent()).toContain('"ok"');
    await page.screenshot({ path: "test-results/docs.png", fullPage: false });
    expect(problems.filter((p) => !p.endsWith(".map"))).toEqual([]);
    await page.close();
  });
});

describe("embeddable widget", () => {
  it("opens the chat in an iframe on an allowed site and answers there", async () => {
    const page = await browser().newPage();
    await page.goto(inject("hostPageUrl"));
    await page.getByRole("button", { name: "Chat with support" }).click();
    const frame = page.frameLocator("#holdfast-chat-frame");
    await expect.poll(() => frame.locator("#status").getAttribute("data-state"), { timeout: 15_000 }).toBe("online");
    await frame.locator("#text").fill("Do you ship abroad?");
    await frame.locator("#text").press("Enter");
    await expect.poll(() => frame.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(1);
    await page.keyboard.press("Escape");
    await page.close();
  });
});

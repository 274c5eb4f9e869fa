// An email conversation in the agent console, in Chromium, against the real local stack: the
// mail arrives through wrangler's local email endpoint, the agent sees it marked as email
// with its subject and attachment, replies from the console, and the reply goes out by mail.
import { describe, expect, inject, it } from "vitest";
import { newMessageId, rawMail, SUPPORT, type SentItem } from "../support/mail.ts";
import { ADMIN_KEY } from "./api.ts";
import { useBrowser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const keys = inject("agentKeys");
const browser = useBrowser();

async function sentTo(address: string): Promise<SentItem[]> {
  const res = await fetch(`${baseUrl}/v1/dev/email/outbox`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
  return ((await res.json()) as { items: SentItem[] }).items.filter((m) => m.to === address);
}

describe("an email conversation in the agent console", () => {
  it("is marked as email with its subject, and the agent's reply goes out by mail", async () => {
    const errors: string[] = [];
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const agent = await context.newPage();
    agent.on("pageerror", (e) => errors.push(e.message));
    await agent.goto(`${baseUrl}/agent?lang=en`);
    await agent.locator("#key").fill(keys.en);
    await agent.keyboard.press("Enter");
    await expect.poll(() => agent.locator("#conn").getAttribute("data-state"), { timeout: 15_000 }).toBe("connected");
    // The desk remembers the presence Ana chose last (another test may have left her offline).
    await agent.locator("#presence").selectOption("online");
    await expect.poll(() => agent.locator("#team li").filter({ hasText: "Ana" }).first().textContent()).toMatch(/Online/);

    const from = `console-${Math.random().toString(36).slice(2, 10)}@customer.example`;
    const messageId = newMessageId();
    const mail = rawMail({ from, fromName: "Bea", subject: "Broken lamp", messageId, body: "I want to talk to a human, my lamp arrived broken.", attachments: [{ name: "lamp.jpg", content: "x".repeat(4096) }] });
    const res = await fetch(`${baseUrl}/cdn-cgi/handler/email?${new URLSearchParams({ from, to: SUPPORT })}`, { method: "POST", body: mail });
    expect(res.status).toBeLessThan(300);

    await expect.poll(() => agent.locator("#mine .item-button").filter({ hasText: "Email" }).count(), { timeout: 15_000 }).toBe(1);
    await agent.locator("#mine .item-button").filter({ hasText: "Email" }).click();
    await expect.poll(() => agent.locator("#conv-title").textContent()).toBe("Broken lamp · Bea");
    expect(await agent.locator("#conv-meta").textContent()).toMatch(/^Email · /);
    await expect.poll(() => agent.locator("#transcript li.msg.customer .source").textContent()).toContain("lamp.jpg (4 KB)");
    expect(await agent.locator("#reply-label").textContent()).toBe("Your reply (sent by email)");

    await agent.locator("#reply").fill("Sorry about that, Bea. A new lamp is on its way.");
    await agent.keyboard.press("Enter");
    await expect.poll(async () => (await sentTo(from)).length, { timeout: 15_000 }).toBe(2);
    const [ack, reply] = await sentTo(from);
    expect(ack!.text).toContain("lamp.jpg (4 KB)");
    expect(reply).toMatchObject({ subject: "Re: Broken lamp", inReplyTo: ack!.messageId });
    expect(reply!.text).toContain("A new lamp is on its way.");

    // Done: closed, so nothing is left in the shared support queue for other tests (Ana stays online, as she was).
    await agent.locator("#resolution").selectOption("resolved");
    await agent.locator("#close").click();
    await expect.poll(() => agent.locator("#mine .item-button").filter({ hasText: "Email" }).count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

// The agent console and the customer page side by side in Chromium, against the real local
// stack: a customer asks for a person, the agent (signed in with an operator key) answers,
// writes a private note, inserts a canned reply, closes; the customer sees the agent by
// name, never the note, and rates. In English and in Chinese. Screenshots go to test-results/.
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { agentPage, customerPage, say } from "./pages.ts";

const baseUrl = inject("baseUrl");
const keys = inject("agentKeys");
const shots = "test-results";
const browser = useBrowser();

/** Signs the agent out of the desk for good (offline first, so nothing more is assigned). */
async function leaveDesk(agent: Page) {
  await agent.locator("#presence").selectOption("offline");
  await expect.poll(() => agent.locator("#team li").first().textContent()).toMatch(/Offline|离线/);
  await agent.close();
}

describe("agent console with a customer page side by side", () => {
  it("handles a conversation in English: reply, note, canned reply, close, rating", async () => {
    const errors: string[] = [];
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const customerContext = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
    const agent = await agentPage(agentContext, keys.en, "en");
    const customer = await customerPage(customerContext, "en");
    for (const page of [agent, customer]) page.on("pageerror", (e) => errors.push(e.message));
    await expect.poll(() => agent.locator("#team li").first().textContent()).toContain("Ana");

    // A bot answer first, marked helpful.
    await say(customer, "How do I reset my password?");
    await expect.poll(() => customer.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(1);
    await customer.locator("#log li.msg.assistant .feedback-button").first().click();
    await expect.poll(() => customer.locator(".feedback-button[aria-pressed=true]").count()).toBe(1);

    await say(customer, "I want to talk to a human");
    await expect.poll(() => customer.locator("#handoff-text").textContent(), { timeout: 15_000 }).toContain("Ana from our support team has joined");
    await expect.poll(() => agent.locator("#mine .item-button").count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => agent.locator("#transcript li.msg").count()).toBe(4);
    expect(await agent.locator("#transcript li.msg.assistant .source").first().textContent()).toContain("Sources");

    // The agent replies; the customer sees it under the agent's name, and the bot stays quiet.
    await agent.locator("#reply").fill("Hi, I'm Ana. I'll check your order right away.");
    await agent.keyboard.press("Enter");
    await expect.poll(() => customer.locator("#log li.msg.agent").count(), { timeout: 10_000 }).toBe(1);
    expect(await customer.locator("#log li.msg.agent .who").textContent()).toContain("Ana");
    await say(customer, "It is order 1234, it has not arrived");
    await expect.poll(() => agent.locator("#transcript li.msg.customer").count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => agent.locator("#assist li").count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // A private note by keyboard (Alt+N), then a canned reply with the customer's variables.
    await agent.locator("#reply").focus();
    await agent.keyboard.press("Alt+N");
    await agent.locator("#reply").fill("Carrier says lost in transit; refund approved");
    await agent.keyboard.press("Enter");
    await expect.poll(() => agent.locator("#transcript li.note").count()).toBe(1);
    await agent.keyboard.press("Alt+N");
    await agent.locator("#canned").selectOption("checking");
    expect(await agent.locator("#reply").inputValue()).toContain("I'm looking into this now");
    await agent.keyboard.press("Enter");
    await expect.poll(() => customer.locator("#log li.msg.agent").count(), { timeout: 10_000 }).toBe(2);
    expect(await customer.locator("#log li.msg.assistant").count()).toBe(2);
    expect(await customer.locator("body").textContent()).not.toContain("refund approved");

    await agent.screenshot({ path: `${shots}/agent-console-en.png` });
    await customer.screenshot({ path: `${shots}/customer-with-agent-en.png` });

    // Closed as resolved: the customer is asked to rate.
    await agent.locator("#resolution").selectOption("resolved");
    await agent.locator("#close").click();
    await expect.poll(() => customer.locator("#rating").isVisible(), { timeout: 10_000 }).toBe(true);
    await customer.locator("label[for=star5]").click();
    await customer.locator("#rating-comment").fill("Quick and kind");
    await customer.locator("#rating button[type=submit]").click();
    await expect.poll(() => customer.locator("#rated").isVisible()).toBe(true);
    await customer.screenshot({ path: `${shots}/customer-rated-en.png` });
    await expect.poll(() => agent.locator("#mine .item-button").count()).toBe(0);
    expect(errors).toEqual([]);
    await leaveDesk(agent);
    await agentContext.close();
    await customerContext.close();
  });

  it("works in Chinese, hands back to the bot by keyboard, and offers a message when nobody is online", async () => {
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "zh-CN" });
    const customerContext = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const agent = await agentPage(agentContext, keys.zh, "zh-CN");
    expect(await agent.locator("#keys-title").textContent()).toBe("键盘快捷键");
    const customer = await customerPage(customerContext, "zh-CN");
    await say(customer, "转人工");
    await expect.poll(() => customer.locator("#handoff-text").textContent(), { timeout: 15_000 }).toContain("李娜");
    await expect.poll(() => agent.locator("#transcript li.msg").count(), { timeout: 15_000 }).toBe(2);
    await agent.locator("#reply").fill("您好，我是李娜，请问有什么可以帮您？");
    await agent.keyboard.press("Enter");
    await expect.poll(() => customer.locator("#log li.msg.agent").count(), { timeout: 10_000 }).toBe(1);
    await say(customer, "我的包裹三天了还没到");
    await expect.poll(() => agent.locator("#transcript li.msg.customer").count(), { timeout: 10_000 }).toBe(2);
    await agent.screenshot({ path: `${shots}/agent-console-zh.png` });
    await customer.screenshot({ path: `${shots}/customer-with-agent-zh.png` });

    // Alt+B: back to the bot, which answers again.
    await agent.keyboard.press("Alt+B");
    await expect.poll(() => customer.locator("#handoff-text").textContent(), { timeout: 10_000 }).toContain("智能助手将继续为您服务");
    await expect.poll(() => customer.locator("#rating").isVisible()).toBe(true);
    await say(customer, "怎么退货？");
    await expect.poll(() => customer.locator("#log li.msg.assistant").count(), { timeout: 15_000 }).toBe(2);

    // Nobody online: asking again brings the offer to leave a message, which becomes a ticket.
    await agent.locator("#presence").selectOption("offline");
    await expect.poll(() => agent.locator("#team li").first().textContent()).toContain("离线");
    await say(customer, "我要人工客服");
    await expect.poll(() => customer.locator("#leave").isVisible(), { timeout: 15_000 }).toBe(true);
    await customer.locator("#leave-email").fill("lee@example.com");
    await customer.locator("#leave-text").fill("请尽快联系我，订单 1234 一直没有到。");
    await customer.screenshot({ path: `${shots}/customer-offline-zh.png` });
    await customer.locator("#leave button[type=submit]").click();
    await expect.poll(() => customer.locator("#handoff-text").textContent(), { timeout: 10_000 }).toContain("感谢留言");
    await expect.poll(() => agent.locator("#tickets li.ticket").count(), { timeout: 10_000 }).toBe(1);
    // The desk names the conversation; the address and the message are read from it.
    expect(await agent.locator("#tickets li.ticket").textContent()).not.toContain("lee@example.com");
    await agent.locator("#tickets li.ticket button").first().click();
    await expect.poll(() => agent.locator("#conv-notice").textContent(), { timeout: 10_000 }).toContain("lee@example.com");
    expect(await agent.locator("#transcript li.msg.customer .text").last().textContent()).toContain("订单 1234");
    await agent.screenshot({ path: `${shots}/agent-tickets-zh.png` });
    await agent.close();
    await agentContext.close();
    await customerContext.close();
  });

  it("keeps a customer who asked while nobody was online in the queue, for the agent who signs in after", async () => {
    const errors: string[] = [];
    const customerContext = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "en-US" });
    const customer = await customerPage(customerContext, "en");
    customer.on("pageerror", (e) => errors.push(e.message));
    await say(customer, "I want to talk to a human");
    // Told nobody is online, offered a message, and kept in line.
    await expect.poll(() => customer.locator("#handoff").getAttribute("data-state"), { timeout: 15_000 }).toBe("offline");
    expect(await customer.locator("#handoff-text").textContent()).toMatch(/No agent is available right now\. You keep your place in line \(number \d+\)\./);
    expect(await customer.locator("#leave").isVisible()).toBe(true);
    const conversationId = await customer.evaluate(() => (JSON.parse(localStorage.getItem("holdfast.conversation") ?? "{}") as { id: string }).id);

    // An agent signs in and goes online (they left the desk offline last time): the customer is theirs.
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const agent = await agentPage(agentContext, keys.en, "en");
    agent.on("pageerror", (e) => errors.push(e.message));
    await agent.locator("#presence").selectOption("online");
    await expect.poll(() => agent.locator(`#mine .item-button[data-id="${conversationId}"]`).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => customer.locator("#handoff-text").textContent(), { timeout: 15_000 }).toContain("Ana from our support team has joined");
    expect(await customer.locator("#leave").isVisible()).toBe(false);
    await agent.locator(`#mine .item-button[data-id="${conversationId}"]`).click();
    await agent.locator("#resolution").selectOption("resolved");
    await agent.locator("#close").click();
    await expect.poll(() => agent.locator(`#mine .item-button[data-id="${conversationId}"]`).count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
    await leaveDesk(agent);
    await agentContext.close();
    await customerContext.close();
  });

  it("refuses a kb_editor key at sign-in", async () => {
    const page = await browser().newPage();
    await page.goto(`${baseUrl}/agent?lang=en`);
    await page.locator("#key").fill(keys.editor);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#signin-error").textContent()).toBe("This key cannot be used at the desk.");
    await page.close();
  });
});

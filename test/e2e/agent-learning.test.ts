// Agents teach the KB from the console, in Chromium against the real local stack: a customer
// asks something the bot can only guess at, then for a person; the agent inserts the
// assistant's suggested article (the reply carries its articleId) and closes naming another
// article. Each is an agent's vote for the customer's unsettled question, active at once.
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { learnedWhen } from "./learned.ts";
import { customerPage, openConsole, say, watch, wsFrames } from "./pages.ts";

const keys = inject("agentKeys");
const browser = useBrowser();

interface AssistFrame {
  type: "assist";
  conversationId: string;
  articles: Array<{ articleId: string; title: string; answer?: string }>;
}

describe("an agent teaches the KB from the console", () => {
  it("inserting a suggested article sends its articleId, and closing can name an article: both learn the customer's question", async () => {
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const customerContext = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "en-US", extraHTTPHeaders: { "CF-Connecting-IP": "198.51.100.24" } });
    const agent = await agentContext.newPage();
    const problems = watch(agent);
    const frames = wsFrames(agent);
    await openConsole(agent, keys.en, "en");
    // The desk remembers the presence Ana chose last (another test may have left her offline).
    await agent.locator("#presence").selectOption("online");
    await expect.poll(() => agent.locator("#team li").filter({ hasText: "Ana" }).first().textContent()).toMatch(/Online/);

    const customer = await customerPage(customerContext, "en");
    const question = "Could I swap these boots? My email is sam.lee@example.com";
    await say(customer, question);
    await expect.poll(() => customer.locator("#log li.msg.assistant .quick-reply").count()).toBeGreaterThan(0);
    await say(customer, "I want to talk to a human");
    await expect.poll(() => customer.locator("#handoff-text").textContent()).toContain("Ana from our support team has joined");
    const conversationId = await customer.evaluate<string>('JSON.parse(localStorage.getItem("holdfast.conversation")).id');
    await agent.locator(`#mine .item-button[data-id="${conversationId}"]`).click();
    await expect.poll(() => agent.locator("#transcript li.msg.customer").count()).toBe(2);

    // A message to the agent: the assistant suggests articles to the agent, with their answers.
    await say(customer, "I'd like to send them back, they do not fit");
    await expect.poll(() => agent.locator("#assist-list li button").count()).toBeGreaterThan(0);
    const assist = frames.received.findLast((f) => f.type === "assist" && f.conversationId === conversationId) as AssistFrame | undefined;
    const [inserted, named] = assist!.articles;
    expect(named).toBeDefined();
    expect(await agent.locator("#assist-list li strong").first().textContent()).toBe(inserted!.title);
    await agent.locator("#assist-list li button").first().click();
    expect(await agent.locator("#reply").inputValue()).toBe(inserted!.answer);
    await agent.keyboard.press("Enter");
    await expect.poll(() => customer.locator("#log li.msg.agent").count()).toBe(1);
    const reply = frames.sent.find((f) => f.type === "message" && f.conversationId === conversationId);
    expect(reply).toMatchObject({ text: inserted!.answer, articleId: inserted!.articleId });

    // The agent's word is enough: the customer's question, redacted, is active for that article.
    const redacted = question.replace("sam.lee@example.com", "[email]");
    // (A new question is stored as a candidate, then its status follows from its votes: wait for that.)
    const taught = await learnedWhen(inserted!.articleId, (items) => items.some((l) => l.text === redacted && l.status === "active"));
    expect(taught.find((l) => l.text === redacted)).toMatchObject({ status: "active", sources: { agent: 1 } });

    // Closing names the other suggested article as the one that answered.
    await agent.locator("#answered-by").selectOption(named!.articleId);
    await agent.locator("#resolution").selectOption("resolved");
    await agent.locator("#close").click();
    await expect.poll(() => customer.locator("#rating").isVisible()).toBe(true);
    expect(frames.sent.find((f) => f.type === "close" && f.conversationId === conversationId)).toMatchObject({ resolution: "resolved", articleId: named!.articleId });
    const closedWith = await learnedWhen(named!.articleId, (items) => items.some((l) => l.text === redacted && l.status === "active"));
    expect(closedWith.find((l) => l.text === redacted)).toMatchObject({ status: "active", sources: { agent: 1 } });
    expect(JSON.stringify([...taught, ...closedWith])).not.toContain("sam.lee");

    expect(problems).toEqual([]);
    // Ana stays online, as the other console tests expect.
    await agentContext.close();
    await customerContext.close();
  });
});

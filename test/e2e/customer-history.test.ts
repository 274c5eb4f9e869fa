// A verified customer's history in Chromium, against the real local stack: the agent console
// lists the customer's earlier conversations (when, channel, how each ended, rating, the
// articles the bot gave, the agent's resolution) and opens one's transcript, audited; the
// chat page greets the customer, signed in by the host site, with a word about the
// conversation they left with a person and a quick reply straight to the queue.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { openKb } from "../../scripts/kb.ts";
import { createOperator } from "../../src/operators/repository.ts";
import { signCustomer } from "../../src/privacy/identity.ts";
import { useBrowser } from "./browser.ts";

const baseUrl = inject("baseUrl");
const stateDir = inject("stateDir");
const ADMIN = { Authorization: "Bearer e2e-admin-key-0123456789" };
const shots = "test-results";
const browser = useBrowser();

interface Conversation {
  id: string;
  token: string;
}

async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...(init.body !== undefined && { "Content-Type": "application/json" }), ...(init.token && { Authorization: `Bearer ${init.token}` }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

describe("the customer's history", () => {
  it("shows an agent the customer's earlier conversations and opens one, and greets the returning customer on the chat page", async () => {
    const { CUSTOMER_SIGNING_SECRET } = JSON.parse(readFileSync(join(stateDir, "secrets.json"), "utf8")) as { CUSTOMER_SIGNING_SECRET: string };
    const customerId = `ada-${randomUUID()}`;
    const signature = await signCustomer(CUSTOMER_SIGNING_SECRET, customerId);
    // A team of its own, so nothing of this test waits in another's queue.
    const team = `history-${randomUUID().slice(0, 8)}`;
    const kb = openKb(`file:${join(stateDir, "kb.db")}`);
    const mia = await createOperator(kb, { name: "Mia", role: "agent", team }, { now: Date.now(), random: (n) => new Uint8Array(randomBytes(n)) });
    kb.$client.close();
    const create = () => api<Conversation>("/v1/conversations", { body: { team, customer: { id: customerId, name: "Ada" }, customerSignature: signature } });

    // Earlier: an answered question, rated 5 and closed by the customer.
    const answered = await create();
    await api(`/v1/conversations/${answered.id}/messages`, { body: { text: "How do I reset my password?", clientMessageId: randomUUID() }, token: answered.token });
    await api(`/v1/conversations/${answered.id}/rating`, { body: { score: 5 }, token: answered.token });
    await api(`/v1/conversations/${answered.id}`, { method: "DELETE", token: answered.token });

    // The agent's console; then today's conversation, asked for a person, comes to Mia.
    const errors: string[] = [];
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const agent = await agentContext.newPage();
    agent.on("pageerror", (e) => errors.push(e.message));
    await agent.goto(`${baseUrl}/agent?lang=en`);
    await agent.locator("#key").fill(mia.key);
    await agent.keyboard.press("Enter");
    await expect.poll(() => agent.locator("#conn").getAttribute("data-state"), { timeout: 15_000 }).toBe("connected");
    const today = await create();
    await api(`/v1/conversations/${today.id}/handoff`, { body: {}, token: today.token });
    await expect.poll(() => agent.locator("#mine .item-button").count(), { timeout: 15_000 }).toBe(1);
    await agent.locator("#mine .item-button").first().click();
    await expect.poll(() => agent.locator("#history-list li").count(), { timeout: 10_000 }).toBe(1);
    const line = (await agent.locator("#history-list li").first().textContent()) ?? "";
    expect(line).toContain("chat");
    expect(line).toContain("closed by the customer");
    expect(line).toContain("rated 5/5");
    expect(line).toMatch(/articles: .+/);
    await agent.screenshot({ path: `${shots}/agent-history-en.png` });

    // Its transcript opens in place of today's, and back.
    await agent.locator("#history-list li button").first().click();
    await expect.poll(() => agent.locator("#past").isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await agent.locator("#transcript").isVisible()).toBe(false);
    expect(await agent.locator("#past-transcript li.msg.customer .text").first().textContent()).toBe("How do I reset my password?");
    expect(await agent.locator("#past-title").textContent()).toContain("Earlier conversation of");
    await agent.screenshot({ path: `${shots}/agent-history-transcript-en.png` });
    await agent.locator("#past-close").click();
    expect(await agent.locator("#transcript").isVisible()).toBe(true);
    // The read is in the audit log under the agent's name, like every transcript read.
    const entries: Array<{ actor: string; action: string; target: string; outcome: string }> = [];
    for (let after = 0; ; ) {
      const page = (await (await fetch(`${baseUrl}/v1/admin/audit?after=${after}&limit=500`, { headers: ADMIN })).json()) as { entries: typeof entries; nextAfter: number | null };
      entries.push(...page.entries);
      if (page.nextAfter === null) break;
      after = page.nextAfter;
    }
    expect(entries).toContainEqual(expect.objectContaining({ actor: mia.operator.id, action: "conversation.read", target: answered.id, outcome: "ok" }));

    // Mia closes today's as not resolved, then goes offline.
    await agent.locator("#resolution").selectOption("not_resolved");
    await agent.locator("#close").click();
    await expect.poll(() => agent.locator("#mine .item-button").count(), { timeout: 10_000 }).toBe(0);
    await agent.locator("#presence").selectOption("offline");
    await agent.close();
    await agentContext.close();

    // The customer comes back on the chat page, signed in by the host site (in the fragment).
    const customerContext = await browser().newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const customer = await customerContext.newPage();
    customer.on("pageerror", (e) => errors.push(e.message));
    await customer.goto(`${baseUrl}/?lang=zh-CN#customer=${encodeURIComponent(customerId)}&signature=${signature}`);
    await expect.poll(() => customer.locator("#status").getAttribute("data-state"), { timeout: 15_000 }).toBe("online");
    await expect.poll(() => customer.locator("li.welcome .returning").textContent(), { timeout: 10_000 }).toBe("欢迎回来！您上次联系过人工客服，需要由人工客服继续为您处理吗？");
    await customer.screenshot({ path: `${shots}/customer-returning-zh.png` });
    // Straight to the queue (the default team's: nobody is online there, so a message is offered, the place kept).
    await customer.locator("li.welcome .quick-reply.person").click();
    await expect.poll(() => customer.locator("#handoff").getAttribute("data-state"), { timeout: 10_000 }).toBe("offline");
    expect(await customer.locator("#handoff-text").textContent()).toMatch(/第 \d+ 位/);
    // Leaving the chat takes the customer out of the queue.
    await customer.locator("#end").click();
    await expect.poll(() => customer.locator("#ended").isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await customerContext.close();
  });
});

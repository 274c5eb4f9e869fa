// Learning from confirmations on the running stack (wrangler dev, the libSQL dev endpoint),
// as real customers do it over `ws`: three customers from three addresses pick the same
// article for a new wording, the replica syncs, and the next customer asking it gets the
// answer; one address picking a wrong suggestion in a dozen conversations changes nothing.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { replicaStatus, warmReplicas } from "../../scripts/stack.ts";
import { adminKb, releasePending } from "./api.ts";
import { learnedOf, learnedWhen } from "./learned.ts";

const baseUrl = inject("baseUrl");
const tag = randomUUID().slice(0, 8);

interface Reply {
  seq: number;
  role: string;
  meta?: { decision?: string; suggestions?: Array<{ articleId: string }>; citations?: Array<{ articleId: string }> };
}

/** A customer: their own conversation and WebSocket, from their own address. */
class Customer {
  private ws!: WebSocket;
  private replies: Reply[] = [];
  private waiting: Array<() => void> = [];

  static async start(ip: string): Promise<Customer> {
    const res = await fetch(`${baseUrl}/v1/conversations`, { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip }, body: "{}" });
    expect(res.status).toBe(201);
    const conv = (await res.json()) as { token: string; websocketUrl: string };
    const customer = new Customer();
    customer.ws = new WebSocket(conv.websocketUrl, [], { headers: { Authorization: `Bearer ${conv.token}`, "CF-Connecting-IP": ip } });
    customer.ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; message?: Reply };
      if (frame.type === "message" && frame.message?.role === "assistant") customer.replies.push(frame.message);
      for (const wake of customer.waiting.splice(0)) wake();
    });
    await new Promise<void>((resolve, reject) => customer.ws.once("open", () => resolve()).once("error", reject));
    return customer;
  }

  /** Sends a message (with a pick, if any) and resolves with the bot's reply. */
  async ask(text: string, choice?: { articleId: string; inReplyTo: number }): Promise<Reply> {
    const before = this.replies.length;
    this.ws.send(JSON.stringify({ type: "message", text, clientMessageId: randomUUID(), ...(choice && { choice }) }));
    while (this.replies.length === before) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.replies[before]!;
  }

  close(): void {
    this.ws.close();
  }
}

/** Has the replicas pull the primary's changes, and the stack's own region's (where these conversations are) train on them. */
async function syncReplica(): Promise<void> {
  expect((await adminKb("/sync", "POST")).status).toBe(200);
  await warmReplicas(baseUrl);
  // Synced is not yet trained: the English classifier retrains on its alarm after the pull.
  const region = ((await (await fetch(`${baseUrl}/readyz`)).json()) as { region: string }).region;
  for (const end = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 250))) {
    const replica = await replicaStatus(baseUrl, region);
    if (replica.models.find((m) => m.language === "en")?.kbVersion === replica.kbVersion && replica.training.length === 0) return;
    if (Date.now() > end) throw new Error("the English classifier did not retrain on the synced KB");
  }
}

const articles = { polish: `en:lantern-polish-${tag}`, repair: `en:lantern-repair-${tag}`, wick: `en:lantern-wick-${tag}`, glass: `en:lantern-glass-${tag}` };

// Polishing and repairing are worded alike, so that the new wording is a near-tie the bot
// asks about however its thresholds moved with what other tests taught (its confidence was
// 0.33 against an answer threshold of 0.365 when repairing read "My … lantern is broken").
beforeAll(async () => {
  const create = (slug: string, title: string, question: string) => adminKb("/articles", "POST", { slug, locale: "en", status: "published", title, answer: `${title}: see the manual.`, questions: [question] });
  for (const res of await Promise.all([
    create(`lantern-polish-${tag}`, `Polishing the ${tag} lantern`, `How do I polish the ${tag} lantern?`),
    create(`lantern-repair-${tag}`, `Repairing the ${tag} lantern`, `How do I repair the ${tag} lantern?`),
    create(`lantern-wick-${tag}`, `Trimming the ${tag} lantern wick`, `How short should the ${tag} wick be?`),
    create(`lantern-glass-${tag}`, `Cleaning the ${tag} lantern glass`, `The ${tag} glass is sooty`),
  ]))
    expect(res.status).toBe(201);
  await releasePending();
  await syncReplica();
});

describe("learning from customers' picks on the running stack", () => {
  it("three customers pick the same article for a new wording; after a sync the next customer gets the answer", { timeout: 240_000 }, async () => {
    const wording = `question about the ${tag} lantern`;
    for (const ip of ["192.0.2.10", "192.0.2.11", "192.0.2.12"]) {
      const customer = await Customer.start(ip);
      const reply = await customer.ask(wording);
      // (The reply's metadata says why, should a customer get an answer before anything was learned.)
      expect(reply.meta?.decision, JSON.stringify(reply.meta)).not.toBe("answer");
      expect(reply.meta?.suggestions?.map((s) => s.articleId)).toContain(articles.polish);
      await customer.ask(`Polishing the ${tag} lantern`, { articleId: articles.polish, inReplyTo: reply.seq });
      customer.close();
    }
    const [learned] = await learnedWhen(articles.polish, (items) => items[0]?.confirmations === 3);
    expect(learned).toMatchObject({ text: wording, status: "active", confirmations: 3 });

    await syncReplica();
    const next = await Customer.start("192.0.2.13");
    // The isolate reuses a repeated question's retrieval for a few seconds (src/kb/retrieval-cache.ts)
    // until a retrieval shows it the replica's newer version: this customer's first question does.
    await next.ask(`How do I polish the ${tag} lantern?`);
    const reply = await next.ask(wording);
    expect(reply.meta?.decision).toBe("answer");
    expect(reply.meta?.citations?.[0]?.articleId).toBe(articles.polish);
    next.close();
  });

  it("one client picking a wrong suggestion in a dozen conversations changes nothing", { timeout: 240_000 }, async () => {
    const wording = `a question on the ${tag} lantern wick and glass`;
    for (let i = 0; i < 12; i++) {
      const attacker = await Customer.start("192.0.2.66");
      const reply = await attacker.ask(wording);
      const wrong = reply.meta?.suggestions?.find((s) => s.articleId !== articles.wick);
      expect(wrong).toBeDefined();
      await attacker.ask("that one", { articleId: wrong!.articleId, inReplyTo: reply.seq });
      attacker.close();
    }
    const learned = (await Promise.all(Object.values(articles).map(learnedOf))).flat().filter((l) => l.text === wording);
    expect(learned.every((l) => l.status === "candidate" && l.confirmations === 1)).toBe(true);

    await syncReplica();
    const next = await Customer.start("192.0.2.14");
    const reply = await next.ask(wording);
    expect(reply.meta?.decision, JSON.stringify(reply.meta)).not.toBe("answer");
    next.close();
  });
});

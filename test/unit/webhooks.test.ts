// Outbound webhooks, the pure parts: which URLs deliveries may go to, what a subscription
// receives (never text unless it opted in), the stable event ids, which subscriptions take a
// team's events, and the retry schedule.
import { describe, expect, it } from "vitest";
import { verifySignature, signPayload } from "../../src/ops/alert-delivery.ts";
import { bothObservers } from "../../src/desk/observer.ts";
import { afterAttempt, WEBHOOK_RETRY } from "../../src/webhooks/delivery.ts";
import { eventId, webhookBody, type WebhookEvent } from "../../src/webhooks/events.ts";
import { interestOf, receives, type Subscription } from "../../src/webhooks/subscriptions.ts";
import { checkWebhookUrl } from "../../src/webhooks/url.ts";

describe("webhook URLs", () => {
  it.each([
    ["https://crm.example.com/hooks/holdfast", false],
    ["https://crm.example.com:8443/h?x=1", false],
    ["https://203.0.113.9/h", false],
    ["https://[2001:db8::1]/h", false],
    ["http://127.0.0.1:8787/hook", true],
    ["http://localhost:9000/hook", true],
    ["http://[::1]:9000/hook", true],
    ["https://localhost/hook", true],
  ])("accepts %s (development: %s)", (url, dev) => {
    expect(checkWebhookUrl(url, dev)).toEqual({ ok: true, url: new URL(url).toString() });
  });

  it.each([
    ["plain http in production", "http://crm.example.com/h", false, "https only"],
    ["plain http to loopback in production", "http://127.0.0.1:8787/hook", false, "https only"],
    ["plain http to a public host in development", "http://crm.example.com/h", true, "http only to a loopback address in development; https otherwise"],
    ["another scheme", "ftp://crm.example.com/h", false, "https only"],
    ["a javascript: URL", "javascript:alert(1)", true, "https only"],
    ["credentials", "https://user:pass@crm.example.com/h", false, "credentials in the URL are refused; the payload is signed instead"],
    ["a fragment", "https://crm.example.com/h#x", false, "a fragment is refused"],
    ["a relative URL", "/hook", false, "not an absolute URL"],
    ["a private IPv4 address", "https://10.0.0.5/h", false, "not a public address"],
    ["a 172.16/12 address", "https://172.20.1.1/h", false, "not a public address"],
    ["a 192.168/16 address", "https://192.168.1.10/h", false, "not a public address"],
    ["a link-local address (cloud metadata)", "https://169.254.169.254/latest", false, "not a public address"],
    ["a carrier-grade NAT address", "https://100.64.0.1/h", false, "not a public address"],
    ["loopback over https in production", "https://127.0.0.1/h", false, "not a public address"],
    ["localhost in production", "https://localhost/h", false, "not a public address"],
    ["an .internal name", "https://db.internal/h", false, "not a public address"],
    ["an IPv6 unique-local address", "https://[fd00::1]/h", false, "not a public address"],
    ["an IPv6 link-local address", "https://[fe80::1]/h", false, "not a public address"],
    ["an IPv4-mapped private address", "https://[::ffff:10.0.0.1]/h", false, "not a public address"],
    ["the unspecified address", "https://0.0.0.0/h", false, "not a public address"],
  ])("refuses %s", (_name, url, dev, issue) => {
    expect(checkWebhookUrl(url, dev)).toEqual({ ok: false, issue });
  });

  it("refuses a URL over 2,048 characters", () => {
    expect(checkWebhookUrl(`https://crm.example.com/${"a".repeat(2_048)}`, false).ok).toBe(false);
  });
});

describe("webhook payloads", () => {
  const message: WebhookEvent = {
    id: "evt_0123456789abcdef0123456789abcdef",
    type: "message.created",
    at: Date.UTC(2026, 0, 2, 3, 4, 5),
    conversation: { id: "a".repeat(64), team: "billing" },
    message: { seq: 3, role: "customer", createdAt: "2026-01-02T03:04:05.000Z" },
    text: "My card 4111 1111 1111 1111 was charged twice",
  };

  it("carries ids, team and times, and no text for a subscription that did not opt in", () => {
    expect(JSON.parse(webhookBody(message, false))).toEqual({
      id: message.id,
      type: "message.created",
      createdAt: "2026-01-02T03:04:05.000Z",
      team: "billing",
      data: { conversation: { id: "a".repeat(64), team: "billing" }, message: { seq: 3, role: "customer", createdAt: "2026-01-02T03:04:05.000Z" } },
    });
    expect(webhookBody(message, false)).not.toContain("4111");
  });

  it("carries the text for a subscription that opted in (includeText): a message's text, a rating's comment", () => {
    expect(JSON.parse(webhookBody(message, true)).data.message.text).toBe(message.text);
    const rating: WebhookEvent = { id: "evt_1", type: "rating.created", at: 0, conversation: { id: "b", team: "t" }, rating: { score: 2 }, text: "Slow" };
    expect(JSON.parse(webhookBody(rating, true)).data.rating).toEqual({ score: 2, comment: "Slow" });
    expect(JSON.parse(webhookBody(rating, false)).data.rating).toEqual({ score: 2 });
  });

  it("gives the same event the same id, and different events different ones", async () => {
    const id = await eventId("message.created", "a".repeat(64), 3);
    expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(await eventId("message.created", "a".repeat(64), 3)).toBe(id);
    expect(new Set([id, await eventId("message.created", "a".repeat(64), 4), await eventId("message.created", "b".repeat(64), 3), await eventId("rating.created", "a".repeat(64), 3)]).size).toBe(4);
  });

  it("is signed like the alert webhook: a receiver verifies the body with the secret", async () => {
    const body = webhookBody(message, false);
    const header = await signPayload("whsec_test", body);
    expect(await verifySignature("whsec_test", body, header)).toBe(true);
    expect(await verifySignature("whsec_other", body, header)).toBe(false);
    expect(await verifySignature("whsec_test", body.replace("billing", "sales"), header)).toBe(false);
  });
});

describe("which subscriptions take an event", () => {
  const sub = (id: string, team: string | null, events: Subscription["events"], includeText = false): Subscription => ({ id, url: "https://x.example/h", events, team, includeText, createdAt: 0 });
  const all = [sub("a", "billing", ["message.created"]), sub("b", null, ["conversation.closed", "rating.created"]), sub("c", "sales", ["message.created"], true)];

  it("a team's own subscriptions and those for every team, for the types they asked for", () => {
    expect(receives(all[0]!, "billing", "message.created")).toBe(true);
    expect(receives(all[0]!, "sales", "message.created")).toBe(false);
    expect(receives(all[1]!, "sales", "rating.created")).toBe(true);
    expect(receives(all[1]!, "sales", "message.created")).toBe(false);
  });

  it("tells raisers what a team's subscriptions want, and whether any takes text", () => {
    expect(interestOf(all, "billing")).toEqual({ events: ["conversation.closed", "message.created", "rating.created"], text: false });
    expect(interestOf(all, "sales")).toEqual({ events: ["conversation.closed", "message.created", "rating.created"], text: true });
    expect(interestOf(all.slice(0, 1), "support")).toEqual({ events: [], text: false });
  });
});

describe("webhook retries", () => {
  it("backs off exponentially from 5 s to at most 30 min, and gives up after 12 attempts", () => {
    const delays: number[] = [];
    let attempts = 0;
    for (;;) {
      const decision = afterAttempt(false, attempts, 0);
      if (decision.type !== "retry") {
        expect(decision).toEqual({ type: "dropped" });
        break;
      }
      delays.push(decision.at / 1000);
      attempts = decision.attempts;
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 1800, 1800]);
    expect(attempts + 1).toBe(WEBHOOK_RETRY.maxAttempts);
  });

  it("is done once the receiver accepts", () => {
    expect(afterAttempt(true, 4, 0)).toEqual({ type: "delivered" });
  });
});

describe("several listeners", () => {
  it("tells each in turn, and one that throws does not keep the others from hearing", () => {
    const heard: string[] = [];
    const observer = bothObservers({ rated: () => heard.push("ops") }, { rated: () => { throw new Error("boom"); } }, { rated: (e) => heard.push(`hooks ${e.score}`), closed: () => heard.push("closed") });
    observer.rated?.({ conversationId: "c", team: "t", score: 4, at: 0 });
    observer.closed?.({ conversationId: "c", team: "t", reason: "idle_timeout", resolution: null, at: 0 });
    expect(heard).toEqual(["ops", "hooks 4", "closed"]);
    expect(observer.feedback).toBeUndefined();
  });
});

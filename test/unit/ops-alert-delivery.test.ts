import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, Outbox, retrySchedule, signPayload, verifySignature, webhookBody, type WebhookPayload } from "../../src/ops/alert-delivery.ts";
import type { Alert, Notice } from "../../src/ops/alerts.ts";
import { degradedShareAlert } from "../support/ops-events.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const SECOND = 1_000;

const alert: Alert = degradedShareAlert(T);
const notice = (kind: Notice["kind"], at = T): Notice => ({ kind, alert, at });

describe("webhook signatures", () => {
  it("signs with HMAC-SHA256 as sha256=<hex>, matching a known test vector", async () => {
    expect(await signPayload("key", "The quick brown fox jumps over the lazy dog")).toBe("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  });

  it("signs the UTF-8 bytes of the body, as a receiver computing it with another library does", async () => {
    const body = webhookBody(notice("fired"));
    const expected = createHmac("sha256", "webhook-secret").update(Buffer.from(body, "utf8")).digest("hex");
    expect(await signPayload("webhook-secret", body)).toBe(`sha256=${expected}`);
    expect(await signPayload("webhook-secret", "华东 ✓")).toBe(`sha256=${createHmac("sha256", "webhook-secret").update("华东 ✓").digest("hex")}`);
  });

  it("verifies a good signature and rejects a changed body, another secret or a malformed header", async () => {
    const body = webhookBody(notice("fired"));
    const sig = await signPayload("s3cret", body);
    expect(await verifySignature("s3cret", body, sig)).toBe(true);
    expect(await verifySignature("s3cret", body.replace("critical", "warning"), sig)).toBe(false);
    expect(await verifySignature("other", body, sig)).toBe(false);
    expect(await verifySignature("s3cret", body, sig.slice(7))).toBe(false);
    expect(await verifySignature("s3cret", body, null)).toBe(false);
  });
});

describe("the webhook body", () => {
  it("carries the notice kind, a stable id, the time, a summary and the alert", () => {
    const payload = JSON.parse(webhookBody(notice("escalated"))) as WebhookPayload;
    expect(payload).toMatchObject({ source: "holdfast", kind: "escalated", at: "2026-01-05T12:00:00.000Z", alert: { ruleId: "degraded_share", level: "critical" } });
    expect(payload.id).toBe(`${alert.id}:escalated:${T}`);
    expect(payload.summary).toContain("degraded_share critical in weur");
  });
});

describe("retry backoff", () => {
  it("doubles from 5 seconds, caps at 10 minutes and gives up after 8 attempts", () => {
    const delays = Array.from({ length: 9 }, (_, i) => retrySchedule(i + 1));
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, null, null]);
    expect(retrySchedule(7, { baseMs: 5_000, maxMs: 60_000, maxAttempts: 20 })).toBe(60_000);
  });
});

describe("the outbox (fake clock)", () => {
  it("sends a notice at once, and after a failure only once its backoff has passed", () => {
    const box = new Outbox();
    const entry = box.enqueue(notice("fired"), T);
    expect(box.due(T).map((e) => e.id)).toEqual([entry.id]);
    expect(box.failed(entry.id, T)).toBe("retry");
    expect(box.due(T + 4 * SECOND)).toEqual([]);
    expect(box.nextDueAt()).toBe(T + 5 * SECOND);
    expect(box.due(T + 5 * SECOND)).toHaveLength(1);
    box.delivered(entry.id);
    expect(box.size).toBe(0);
    expect(box.nextDueAt()).toBeNull();
  });

  it("drops a notice after the last attempt fails", () => {
    const box = new Outbox();
    const { id } = box.enqueue(notice("fired"), T);
    const outcomes = [];
    let now = T;
    for (let i = 0; i < DEFAULT_RETRY.maxAttempts; i++) {
      outcomes.push(box.failed(id, now));
      now = box.nextDueAt() ?? now;
    }
    expect(outcomes.filter((o) => o === "retry")).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    expect(outcomes.at(-1)).toBe("dropped");
    expect(box.size).toBe(0);
    expect(box.failed(id, now)).toBe("unknown");
  });

  it("queues the same notice once and keeps at most its capacity, dropping the oldest", () => {
    const box = new Outbox([], DEFAULT_RETRY, 3);
    box.enqueue(notice("fired"), T);
    box.enqueue(notice("fired"), T);
    expect(box.size).toBe(1);
    for (let i = 1; i <= 4; i++) box.enqueue(notice("resolved", T + i), T + i);
    expect(box.size).toBe(3);
    expect(box.due(T + 10).map((e) => JSON.parse(e.body).at)).toEqual([T + 2, T + 3, T + 4].map((t) => new Date(t).toISOString()));
  });

  it("survives a restart through its JSON, attempts and schedule included", () => {
    const box = new Outbox();
    const { id } = box.enqueue(notice("fired"), T);
    box.failed(id, T);
    const restored = new Outbox(JSON.parse(JSON.stringify(box.toJSON())));
    expect(restored.toJSON()).toEqual(box.toJSON());
    expect(restored.failed(id, T + 5 * SECOND)).toBe("retry");
    expect(restored.nextDueAt()).toBe(T + 15 * SECOND);
  });
});

// Alerts end to end with a controlled clock: the region's replica goes down (fault
// injection), its replies turn degraded, the default degraded-share rule fires at critical
// and a local webhook receiver gets a correctly signed notice (after one refused delivery,
// retried with the same id); the fault clears, replies are normal again, and once the
// resolve delay has passed on the RegionOpsDO's clock (moved ahead by a dev-only RPC; its
// alarm run with runDurableObjectAlarm) the alert resolves with a signed notice too.
import { inject } from "vitest";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { beforeAll, describe, expect, it } from "vitest";
import { verifySignature, type WebhookPayload } from "../../src/ops/alert-delivery.ts";
import type { Alert } from "../../src/ops/alerts.ts";
import type { KpiSummary } from "../../src/ops/kpi.ts";
import type { ReceivedHook } from "../support/webhook-receiver.ts";
import { breakerCoolDown, cid, send, setFaults, warmReplica } from "./helpers.ts";
import { conversationIn, eventually, opsGet, opsJson, regionOpsStub, runOpsAlarm } from "./ops-helpers.ts";

const REGION = "afr";
const SECRET = "test-webhook-secret-0123456789";
const MIN = 60_000;
const receiver = inject("webhookUrl");

const received = async () => (await fetch(`${receiver}/received?path=/hook`)).json<ReceivedHook[]>();
const failing = (on: boolean) => fetch(`${receiver}/fail`, { method: "PUT", body: on ? "on" : "off" });
const summary = () => opsJson<KpiSummary>(`/v1/ops/summary?region=${REGION}&window=1h`);
const alerts = () => opsJson<{ open: Alert[]; recent: Alert[] }>(`/v1/ops/alerts?region=${REGION}`);

/** Moves the region's RegionOpsDO clock to `offsetMs` ahead of real time. */
async function clockAhead(offsetMs: number) {
  const result = await regionOpsStub(REGION).shiftClockForTests(offsetMs);
  expect(result.ok).toBe(true);
}

async function turns(texts: string[], mode: "normal" | "degraded", tag: string) {
  const conv = await conversationIn(REGION);
  for (const [i, text] of texts.entries()) {
    const res = await send(conv, text, cid(`${tag}${i}`));
    expect((await res.json<{ reply: { meta: { mode: string } } }>()).reply.meta.mode).toBe(mode);
  }
}

async function signedPayload(hook: ReceivedHook): Promise<WebhookPayload> {
  expect(await verifySignature(SECRET, hook.body, hook.headers["x-holdfast-signature"] ?? null)).toBe(true);
  expect(await verifySignature("another-secret-0123456789", hook.body, hook.headers["x-holdfast-signature"] ?? null)).toBe(false);
  expect(hook.headers["content-type"]).toBe("application/json");
  return JSON.parse(hook.body) as WebhookPayload;
}

const QUESTIONS = ["How do I reset my password?", "How long does a refund take?", "Where is my parcel?", "Can I change my delivery address?"];

beforeAll(async () => {
  await warmReplica(REGION);
  await warmReplica("weur");
  await fetch(`${receiver}/received`, { method: "DELETE" });
});

describe("alerts with a controlled clock (fault injection, local webhook receiver)", () => {
  it("raises a critical degraded-share alert for a region whose replies are all degraded, and resolves it once they are normal", async () => {
    await setFaults("replica-down");
    try {
      await turns(QUESTIONS, "degraded", "al");
    } finally {
      await setFaults();
      await breakerCoolDown();
    }
    await eventually(summary, (s) => s.overall.degraded.turns >= QUESTIONS.length);

    // The first evaluation: the receiver refuses the notice, then takes its retry.
    await failing(true);
    await runOpsAlarm(REGION);
    await failing(false);
    const open = (await alerts()).open;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ ruleId: "degraded_share", region: REGION, level: "critical", value: 1, resolvedAt: null });
    await clockAhead(10_000);
    await runOpsAlarm(REGION);
    const [refused, fired] = await received();
    expect(fired!.body).toBe(refused!.body);
    expect(fired!.headers["x-holdfast-delivery"]).toBe(refused!.headers["x-holdfast-delivery"]);
    expect(await signedPayload(fired!)).toMatchObject({ source: "holdfast", kind: "fired", alert: { ruleId: "degraded_share", region: REGION, level: "critical", metric: "degraded_share" } });
    const metrics = parsePrometheusTextFormat(await (await opsGet("/metrics")).text());
    expect(metrics.find((f) => f.name === "holdfast_degraded")?.metrics.find((m) => m.labels?.region === REGION)?.value).toBe("1");

    // Six minutes on, replies are normal: the condition clears; two more and the alert resolves.
    await clockAhead(6 * MIN);
    await turns(QUESTIONS, "normal", "ok");
    await eventually(summary, (s) => (s.byMode.normal?.turns ?? 0) >= QUESTIONS.length);
    await runOpsAlarm(REGION);
    expect((await alerts()).open[0]).toMatchObject({ ruleId: "degraded_share", resolvedAt: null });
    expect((await alerts()).open[0]!.clearSince).not.toBeNull();
    await clockAhead(9 * MIN);
    await runOpsAlarm(REGION);

    const after = await alerts();
    expect(after.open).toEqual([]);
    expect(after.recent[0]).toMatchObject({ ruleId: "degraded_share", region: REGION, id: open[0]!.id });
    expect(after.recent[0]!.resolvedAt).not.toBeNull();
    const hooks = await received();
    expect(hooks).toHaveLength(3);
    expect(await signedPayload(hooks[2]!)).toMatchObject({ kind: "resolved", alert: { id: open[0]!.id, ruleId: "degraded_share" } });
  });
});

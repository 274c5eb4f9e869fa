// Self-repair end to end: a region's replica fails (fault injection), its replies turn
// degraded, and the degraded-share alert fires carrying its runbook, a likely cause (the
// replica) and what was done — a resync of the replica, audited as
// ops.remediation.replica_resync by `system:remediation` — in GET /v1/ops/alerts and in the
// signed payload the local webhook receiver gets. AUTO_REMEDIATION is per region in the test
// configuration: `sam=dry-run` audits the resync it would do and does nothing, `enam=off`
// does nothing at all.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { verifySignature, type WebhookPayload } from "../../src/ops/alert-delivery.ts";
import type { Alert } from "../../src/ops/alerts.ts";
import type { KpiSummary } from "../../src/ops/kpi.ts";
import type { ReceivedHook } from "../support/webhook-receiver.ts";
import { breakerCoolDown, cid, send, setFaults } from "./helpers.ts";
import { auditEntries, conversationIn, eventually, opsJson, runOpsAlarm } from "./ops-helpers.ts";

const SECRET = "test-webhook-secret-0123456789";
const receiver = inject("webhookUrl");
const QUESTIONS = ["How do I reset my password?", "How long does a refund take?", "Where is my parcel?", "Can I change my delivery address?"];

interface AlertsBody {
  open: Alert[];
  rules: Array<{ id: string; runbook: string }>;
  autoRemediation: Record<string, string>;
}

const alerts = (region: string) => opsJson<AlertsBody>(`/v1/ops/alerts?region=${region}`);

/** A region's replica (shard 0), synced and with its first-sync alarm run, so nothing syncs it for a while: its lastSyncAt. */
async function settledReplica(region: string): Promise<string | null> {
  const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName(region));
  await replica.sync();
  await runDurableObjectAlarm(replica);
  return (await replica.status()).lastSyncAt;
}

const lastSyncOf = async (region: string) => (await env.KB_REPLICA.get(env.KB_REPLICA.idFromName(region)).status()).lastSyncAt;

/** Four replies in `region` with its replica down: all degraded (replica_unavailable). */
async function replicaFails(region: string): Promise<void> {
  await setFaults("replica-down");
  try {
    const conv = await conversationIn(region);
    for (const [i, text] of QUESTIONS.entries()) {
      const res = await send(conv, text, cid(`rm${region}${i}`));
      expect((await res.json<{ reply: { meta: { mode: string } } }>()).reply.meta.mode).toBe("degraded");
    }
  } finally {
    await setFaults();
    await breakerCoolDown();
  }
  await eventually(() => opsJson<KpiSummary>(`/v1/ops/summary?region=${region}&window=1h`), (s) => s.overall.degraded.turns >= QUESTIONS.length);
}

/** Every ops.remediation.* entry of the audit log. */
const remediationAudit = () => auditEntries((e) => e.action.startsWith("ops.remediation."));

async function firedPayload(region: string): Promise<WebhookPayload> {
  const hooks = await (await fetch(`${receiver}/received`)).json<ReceivedHook[]>();
  const hook = hooks.find((h) => {
    const p = JSON.parse(h.body) as WebhookPayload;
    return p.kind === "fired" && p.alert.region === region;
  });
  expect(hook).toBeDefined();
  expect(await verifySignature(SECRET, hook!.body, hook!.headers["x-holdfast-signature"] ?? null)).toBe(true);
  return JSON.parse(hook!.body) as WebhookPayload;
}

beforeAll(async () => {
  await fetch(`${receiver}/received`, { method: "DELETE" });
});

describe("self-repair of a failing replica (fault injection, local webhook receiver)", () => {
  it("resyncs the replica (on), and the alert carries its runbook, likely cause and remediation in GET /v1/ops/alerts and the webhook", async () => {
    const synced = await settledReplica("wnam");
    await replicaFails("wnam");
    await runOpsAlarm("wnam");

    const body = await alerts("wnam");
    expect(body.autoRemediation).toEqual({ wnam: "on" });
    expect(body.rules.every((r) => /^docs\/runbooks\/[a-z0-9-]+\.md$/.test(r.runbook))).toBe(true);
    const [alert] = body.open;
    expect(alert).toMatchObject({ ruleId: "degraded_share", region: "wnam", level: "critical", subject: null, runbook: "docs/runbooks/degraded-share.md" });
    // The replica's breaker (as the isolates last reported it) and the replies degraded for want of it.
    expect(alert!.likelyCause!.signals).toContainEqual(expect.objectContaining({ kind: "degraded_reason", reason: "replica_unavailable", share: 1 }));
    expect(alert!.likelyCause!.hint).toMatch(/replica/);
    expect(alert!.remediation).toEqual([{ action: "replica_resync", target: "wnam", result: "done", at: expect.any(Number) }]);
    expect(Date.parse((await lastSyncOf("wnam"))!)).toBeGreaterThan(Date.parse(synced!));

    const entries = (await remediationAudit()).filter((e) => e.target === "wnam");
    expect(entries.map((e) => [e.action, e.actor, e.role, e.outcome])).toEqual([["ops.remediation.replica_resync", "system:remediation", "system", "ok"]]);

    const payload = await firedPayload("wnam");
    expect(payload.alert).toMatchObject({ id: alert!.id, runbook: alert!.runbook, likelyCause: alert!.likelyCause, remediation: alert!.remediation });
    expect(payload.summary).toContain(`likely: ${alert!.likelyCause!.hint}; remediation: replica_resync wnam done`);
  });

  it("audits the resync it would do and does nothing in dry-run", async () => {
    const synced = await settledReplica("sam");
    await replicaFails("sam");
    await runOpsAlarm("sam");

    const [alert] = (await alerts("sam")).open;
    expect(alert!.remediation).toEqual([{ action: "replica_resync", target: "sam", result: "dry_run", at: expect.any(Number) }]);
    expect(await lastSyncOf("sam")).toBe(synced);
    const entries = (await remediationAudit()).filter((e) => e.target === "sam");
    expect(entries.map((e) => [e.action, e.actor, e.outcome])).toEqual([["ops.remediation.replica_resync", "system:remediation:dry-run", "ok"]]);
    expect((await firedPayload("sam")).alert.remediation).toEqual(alert!.remediation);
  });

  it("does nothing when off, and still names the likely cause", async () => {
    const synced = await settledReplica("enam");
    await replicaFails("enam");
    await runOpsAlarm("enam");

    const body = await alerts("enam");
    expect(body.autoRemediation).toEqual({ enam: "off" });
    const [alert] = body.open;
    expect(alert!.likelyCause!.signals).toContainEqual(expect.objectContaining({ kind: "degraded_reason", reason: "replica_unavailable" }));
    expect(alert!.remediation).toEqual([]);
    expect(await lastSyncOf("enam")).toBe(synced);
    expect((await remediationAudit()).filter((e) => e.target === "enam")).toEqual([]);
  });
});

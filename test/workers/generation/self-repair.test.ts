// Self-repair switches generation off for a region whose LLM fails (FAKE OpenAI-compatible
// server, fault injection): the degraded-share alert fires with the LLM as its likely cause,
// generation goes off (audited), the region's next answers come from the article in normal
// mode without calling the provider, and once the alert resolves generation is back on.
import { describe, expect, inject, it } from "vitest";
import type { Alert } from "../../../src/ops/alerts.ts";
import type { KpiSummary } from "../../../src/ops/kpi.ts";
import type { Message } from "../../../src/conversation/types.ts";
import { breakerCoolDown, cid, send, setFaults, warmReplica } from "../helpers.ts";
import { auditEntries, conversationIn, eventually, opsJson, regionOpsStub, runOpsAlarm } from "../ops-helpers.ts";

const REGION = "oc";
const MIN = 60_000;
const GENERATED = "We issue the refund within 3 business days of receiving your return.";
const llm = inject("llmUrl");
const script = (behaviour: unknown) => fetch(`${llm}/_fake/script`, { method: "POST", body: JSON.stringify(behaviour) });
const providerCalls = async () => (await (await fetch(`${llm}/_fake/requests`)).json<unknown[]>()).length;
const summary = () => opsJson<KpiSummary>(`/v1/ops/summary?region=${REGION}&window=1h`);
const alerts = () => opsJson<{ open: Alert[]; recent: Alert[] }>(`/v1/ops/alerts?region=${REGION}`);

let n = 0;
async function askRefunds(count: number): Promise<Message[]> {
  const conv = await conversationIn(REGION);
  const replies: Message[] = [];
  for (let i = 0; i < count; i++) {
    const res = await send(conv, "How long does a refund take?", cid(`sr${n++}`));
    replies.push((await res.json<{ reply: Message }>()).reply);
  }
  return replies;
}

const generationAudit = async () =>
  (await auditEntries((e) => e.action.startsWith("ops.remediation.generation") && e.target === REGION)).map((e) => [e.action, e.actor]);

describe("self-repair: generation off while the LLM fails (fake LLM)", () => {
  it("switches generation off for the region, answers from the article meanwhile, and back on once the alert resolves", async () => {
    await warmReplica(REGION);
    await setFaults("llm-down");
    try {
      for (const reply of await askRefunds(4)) expect(reply.meta).toMatchObject({ mode: "degraded", degraded: { reason: "llm_unavailable" } });
    } finally {
      await setFaults();
      await breakerCoolDown();
    }
    await eventually(summary, (s) => s.overall.degraded.turns >= 4);
    await runOpsAlarm(REGION);

    const [alert] = (await alerts()).open;
    expect(alert!.likelyCause!.signals).toContainEqual(expect.objectContaining({ kind: "degraded_reason", reason: "llm_unavailable" }));
    expect(alert!.remediation).toEqual([{ action: "generation_off", target: REGION, result: "done", at: expect.any(Number) }]);
    expect(await generationAudit()).toEqual([["ops.remediation.generation_off", "system:remediation"]]);

    // The provider is fine again, but generation stays off until the alert resolves.
    await script({ kind: "stream", chunks: [GENERATED] });
    const calls = await providerCalls();
    const [off] = await askRefunds(1);
    expect(off!.meta).toMatchObject({ mode: "normal", answerer: "kb", generation: { fallback: "switched_off" } });
    expect(off!.text).toContain("We issue the refund within 3 business days of receiving your return");
    expect(await providerCalls()).toBe(calls);

    // Replies normal for the rule's window, then its resolve delay: resolved, generation back on.
    await regionOpsStub(REGION).shiftClockForTests(6 * MIN);
    await askRefunds(3);
    await eventually(summary, (s) => (s.byMode.normal?.turns ?? 0) >= 3);
    await runOpsAlarm(REGION);
    await regionOpsStub(REGION).shiftClockForTests(15 * MIN);
    await runOpsAlarm(REGION);
    const after = await alerts();
    expect(after.open).toEqual([]);
    expect(after.recent[0]!.remediation.map((s) => s.action)).toEqual(["generation_off", "generation_on"]);
    expect(await generationAudit()).toEqual([
      ["ops.remediation.generation_off", "system:remediation"],
      ["ops.remediation.generation_on", "system:remediation"],
    ]);

    await script({ kind: "stream", chunks: [GENERATED] });
    const [on] = await askRefunds(1);
    expect(on!.meta).toMatchObject({ mode: "normal", answerer: "generated" });
  }, 60_000);
});

// LLM faults (fault injection through the dev switch) with generation on against a FAKE
// OpenAI-compatible server: the answer still comes, as the article's own text, marked
// degraded with the reason; generation resumes once the fault clears.
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { Message } from "../../../src/conversation/types.ts";
import { breakerCoolDown, cid, createConversation, send, setFaults, transcript, warmReplica } from "../helpers.ts";

const GENERATED = "We issue the refund within 3 business days of receiving your return.";
const script = (behaviour: unknown) => fetch(`${inject("llmUrl")}/_fake/script`, { method: "POST", body: JSON.stringify(behaviour) });

beforeAll(() => warmReplica("weur"));

afterEach(async () => {
  await setFaults();
  await breakerCoolDown();
});

let n = 0;
async function askRefund(): Promise<{ reply: Message; conversation: Awaited<ReturnType<typeof createConversation>> }> {
  const conversation = await createConversation();
  const res = await send(conversation, "How long does a refund take?", cid(`lf${n++}`));
  expect(res.status).toBe(200);
  return { reply: (await res.json<{ reply: Message }>()).reply, conversation };
}

describe("LLM faults (fake LLM)", () => {
  it.each([
    ["llm-down", "llm_unavailable"],
    ["llm-slow", "deadline"],
    ["region-over-budget", "llm_budget"],
  ])("%s: the article's own text, degraded with reason %s, then generation again", async (fault, reason) => {
    await script({ kind: "stream", chunks: [GENERATED] });
    await setFaults(fault);
    const { reply, conversation } = await askRefund();
    expect(reply.meta).toMatchObject({ mode: "degraded", answerer: "kb", decision: "answer", degraded: { reason } });
    expect(reply.text).toContain("We issue the refund within 3 business days of receiving your return");
    expect(await transcript(conversation)).toHaveLength(2);

    await setFaults();
    await breakerCoolDown();
    await script({ kind: "stream", chunks: [GENERATED] });
    const after = await askRefund();
    expect(after.reply.meta).toMatchObject({ mode: "normal", answerer: "generated" });
    expect(after.reply.text).toBe(GENERATED);
  }, 15_000);

  it("a provider that rate-limits us makes the reply degraded with reason rate_limited", async () => {
    await script({ kind: "status", status: 429 });
    const { reply } = await askRefund();
    expect(reply.meta).toMatchObject({ mode: "degraded", degraded: { reason: "rate_limited" } });
  });
});

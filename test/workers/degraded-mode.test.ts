// One test per dependency fault (fault injection through the dev switch): the customer
// still gets a reply that says how it was made, the transcript is complete, and service
// returns to normal once the fault clears.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../src/conversation/types.ts";
import { admin, breakerCoolDown, call, cid, createConversation, send, setFaults, transcript, type Created, warmReplica } from "./helpers.ts";

beforeAll(async () => {
  await warmReplica("weur");
  await warmReplica("eeur");
});

afterEach(async () => {
  await setFaults();
  await breakerCoolDown();
  await admin("/sync?region=weur", { method: "POST" });
});

let n = 0;
async function ask(conv: Created, text: string): Promise<Message> {
  const res = await send(conv, text, cid(`dg${n++}`));
  expect(res.status).toBe(200);
  return (await res.json<{ reply: Message }>()).reply;
}

async function expectComplete(conv: Created, turns: number) {
  const messages = await transcript(conv);
  expect(messages).toHaveLength(turns * 2);
  for (let i = 0; i < messages.length; i += 2) expect(messages[i + 1]).toMatchObject({ role: "assistant", replyTo: messages[i]!.seq });
}

describe("degraded mode (fault injection)", () => {
  it("replica-down: answers from the neighbouring region's replica, then from the answer cache, then normally again", async () => {
    const conv = await createConversation();
    const normal = await ask(conv, "How do I reset my password?");
    expect(normal.meta).toMatchObject({ mode: "normal", decision: "answer" });

    await setFaults("replica-down");
    const cached = await ask(conv, "How do I reset my password?");
    expect(cached.meta).toMatchObject({ mode: "degraded", answerer: "cache", degraded: { reason: "replica_unavailable" }, citations: [{ articleId: "en:reset-password" }] });
    expect(cached.text).toBe(normal.text);
    const neighbour = await ask(conv, "How long does a refund take?");
    expect(neighbour.meta).toMatchObject({ mode: "degraded", answerer: "neighbour", degraded: { reason: "replica_unavailable" }, citations: [{ articleId: "en:refund-time" }] });
    const unknown = await ask(conv, "My lantern is flickering oddly");
    expect(unknown.meta).toMatchObject({ mode: "degraded", answerer: "apology", decision: "offer_handoff" });
    expect(unknown.meta?.breakers?.["replica:weur"]).toBe("open");

    await setFaults();
    await breakerCoolDown();
    expect((await ask(conv, "How long does shipping take?")).meta).toMatchObject({ mode: "normal" });
    await expectComplete(conv, 5);
  });

  it("primary-down: the replica keeps answering from its last good copy and says how stale it is", async () => {
    const conv = await createConversation();
    await setFaults("primary-down");
    const sync = await (await admin("/sync?region=weur", { method: "POST" })).json<{ replicas: Array<{ primaryReachable: boolean }> }>();
    expect(sync.replicas[0]!.primaryReachable).toBe(false);
    // A question not asked in the last seconds: a recent retrieval of an asked one may be
    // reused for up to 10 s (src/kb/retrieval-cache.ts), staleness included.
    const reply = await ask(conv, "How do I change my email or name?");
    expect(reply.meta).toMatchObject({ mode: "degraded", decision: "answer", degraded: { reason: "primary_unreachable" } });
    expect(reply.meta?.degraded?.staleSeconds).toBeGreaterThanOrEqual(0);
    expect(reply.meta?.degraded?.kbVersion).toBeGreaterThan(0);
    expect((await call("/readyz")).status).toBe(200);

    await setFaults();
    await breakerCoolDown();
    await admin("/sync?region=weur", { method: "POST" });
    expect((await ask(conv, "How do I reset my password?")).meta).toMatchObject({ mode: "normal" });
    await expectComplete(conv, 2);
  });

  it("latency beyond the deadline: the turn still answers in time, from the cache or with an apology", async () => {
    const conv = await createConversation();
    await ask(conv, "What payment methods do you accept?");
    await setFaults("latency=2500");
    const started = Date.now();
    const cached = await ask(conv, "What payment methods do you accept?");
    expect(Date.now() - started).toBeLessThan(2_400);
    expect(cached.meta).toMatchObject({ mode: "degraded", answerer: "cache", degraded: { reason: "deadline" } });
    const sorry = await ask(conv, "Can I change my delivery address?");
    expect(sorry.meta).toMatchObject({ mode: "degraded", answerer: "apology", degraded: { reason: "deadline" } });
    expect(sorry.text).toContain("support team");

    await setFaults();
    await new Promise((r) => setTimeout(r, 800));
    await breakerCoolDown();
    expect((await ask(conv, "Can I change my delivery address?")).meta).toMatchObject({ mode: "normal" });
    await expectComplete(conv, 4);
  }, 20_000);

  it("apologises in Chinese when nothing can answer a Chinese question", async () => {
    const conv = await createConversation({ locale: "zh-CN" });
    await setFaults("replica-down");
    const reply = await ask(conv, "我的积分为什么少了一半？");
    expect(reply.meta).toMatchObject({ mode: "degraded", locale: "zh-CN" });
    if (reply.meta?.answerer === "apology") expect(reply.text).toContain("人工客服");
  });

  it("reports breakers, replica lag and faults in /readyz", async () => {
    await setFaults("replica-down");
    const ready = await (await call("/readyz")).json<{ status: string; checks: { replica: { reachable: boolean } }; faults: string[]; breakers: Record<string, string> }>();
    expect(ready).toMatchObject({ status: "degraded", checks: { replica: { reachable: false } }, faults: ["replica-down"] });
    await setFaults();
    const back = await (await call("/readyz")).json<{ status: string }>();
    expect(back.status).toBe("ready");
  });

  it("replica storage lost: until it has rebuilt a whole copy, the region's turns go to the neighbouring region, labelled degraded", async () => {
    const conv = await createConversation();
    await setFaults("primary-down");
    // The region's replica loses its storage while the primary cannot be reached: it cannot rebuild.
    expect((await call("/v1/dev/replicas/weur/wipe", { method: "POST" })).status).toBe(200);
    const reply = await ask(conv, "Can I pay with a gift card?");
    expect(reply.meta).toMatchObject({ mode: "degraded", answerer: "neighbour", degraded: { reason: "replica_unavailable" }, citations: [{ articleId: "en:gift-cards" }] });

    await setFaults();
    await breakerCoolDown();
    await warmReplica("weur");
    expect((await ask(conv, "How do I cancel my order?")).meta).toMatchObject({ mode: "normal", decision: "answer", citations: [{ articleId: "en:cancel-order" }] });
    await expectComplete(conv, 2);
  });

  it("refuses unknown faults", async () => {
    const res = await admin("/../faults", { method: "PUT", body: { faults: ["disk-full"] } });
    expect(res.status).toBe(400);
  });
});

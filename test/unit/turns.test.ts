import { describe, expect, it } from "vitest";
import { Turns } from "../../src/conversation/turns.ts";
import { fakePorts, MemoryTurnStore, ScriptedAnswerer } from "../support/fake-turns.ts";

const input = (n: number, text = `question ${n}`) => ({ text, clientMessageId: `client-${String(n).padStart(4, "0")}` });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("Turns (fake ports)", () => {
  it("stores a quick turn's message and reply in one commit, and acks only then", async () => {
    const store = new MemoryTurnStore();
    const { ports, frames } = fakePorts(store, new ScriptedAnswerer());
    const accepted: number[] = [];
    const result = await new Turns(ports).send(input(1), { accepted: () => accepted.push(store.commits) });
    expect(result).toMatchObject({ ok: true, value: { message: { seq: 1, role: "customer" }, reply: { seq: 2, replyTo: 1 }, duplicate: false } });
    expect(store.commits).toBe(1);
    // The ack came after the one commit: it means "stored".
    expect(accepted).toEqual([1]);
    expect(frames.map((f) => f.type)).toEqual(["message", "message"]);
  });

  it("acks a slow turn's message on its own first, with typing, then stores the reply", async () => {
    const store = new MemoryTurnStore();
    const answerer = new ScriptedAnswerer(false);
    const { ports, frames, graceOver } = fakePorts(store, answerer);
    const turns = new Turns(ports);
    const acked: number[] = [];
    const done = turns.send(input(1), { accepted: (m) => acked.push(m.seq) });
    await tick();
    graceOver();
    await tick();
    expect(acked).toEqual([1]);
    expect(store.commits).toBe(1);
    expect(frames.map((f) => f.type)).toEqual(["message", "typing"]);
    answerer.release();
    await done;
    expect(store.commits).toBe(2);
    expect(frames.map((f) => f.type)).toEqual(["message", "typing", "delta", "message"]);
    expect(store.messages.map((m) => [m.seq, m.role])).toEqual([[1, "customer"], [2, "assistant"]]);
  });

  it("stores a retried send once and gives the retry the original turn, in flight or after", async () => {
    const store = new MemoryTurnStore();
    const answerer = new ScriptedAnswerer();
    const turns = new Turns(fakePorts(store, answerer).ports);
    const [first, concurrent] = await Promise.all([turns.send(input(1)), turns.send(input(1))]);
    const later = await turns.send(input(1));
    expect(first).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(concurrent).toMatchObject({ ok: true, value: { duplicate: true, reply: { seq: 2 } } });
    expect(later).toMatchObject({ ok: true, value: { duplicate: true, reply: { seq: 2 } } });
    expect(store.messages).toHaveLength(2);
    expect(answerer.asked).toHaveLength(1);
  });

  it("refuses a clientMessageId reused for other text", async () => {
    const store = new MemoryTurnStore();
    const turns = new Turns(fakePorts(store, new ScriptedAnswerer()).ports);
    await turns.send(input(1));
    expect(await turns.send(input(1, "something else"))).toEqual({ ok: false, code: "client_message_id_conflict" });
  });

  it("runs turns one at a time, so each message is followed by its own reply", async () => {
    const store = new MemoryTurnStore();
    const turns = new Turns(fakePorts(store, new ScriptedAnswerer()).ports);
    await Promise.all([1, 2, 3].map((n) => turns.send(input(n))));
    expect(store.messages.map((m) => `${m.seq}:${m.role}:${m.replyTo ?? ""}`)).toEqual(["1:customer:", "2:assistant:1", "3:customer:", "4:assistant:3", "5:customer:", "6:assistant:5"]);
  });

  it("answers a message stored before a restart but never answered, and a retry of it waits for that answer", async () => {
    const store = new MemoryTurnStore();
    await store.saveMessage({ seq: 1, role: "customer", text: "question 1", createdAt: new Date().toISOString(), clientMessageId: input(1).clientMessageId });
    const answerer = new ScriptedAnswerer();
    const turns = new Turns(fakePorts(store, answerer).ports);
    turns.resume();
    const retry = await turns.send(input(1));
    expect(retry).toMatchObject({ ok: true, value: { duplicate: true, reply: { seq: 2, replyTo: 1 } } });
    expect(answerer.asked).toHaveLength(1);
  });

  it("refuses sends to a closed conversation, but still answers a retry of an accepted one", async () => {
    const store = new MemoryTurnStore();
    const turns = new Turns(fakePorts(store, new ScriptedAnswerer()).ports);
    await turns.send(input(1));
    store.status = "closed";
    expect(await turns.send(input(2))).toEqual({ ok: false, code: "conversation_closed" });
    expect(await turns.send(input(1))).toMatchObject({ ok: true, value: { duplicate: true } });
  });

  it("rejects a send over the conversation's limit or the gate's without storing it", async () => {
    const store = new MemoryTurnStore();
    const turns = new Turns(fakePorts(store, new ScriptedAnswerer(), 1).ports);
    await turns.send(input(1));
    expect(await turns.send(input(2))).toMatchObject({ ok: false, code: "rate_limited", retryAfterMs: expect.any(Number) });
    const gated = new Turns(fakePorts(new MemoryTurnStore(), new ScriptedAnswerer()).ports);
    const refused = await gated.send(input(3), {}, async () => ({ allowed: false, tat: 0, remaining: 0, retryAfterMs: 5_000, resetMs: 5_000 }));
    expect(refused).toEqual({ ok: false, code: "rate_limited", retryAfterMs: 5_000 });
    expect(store.messages).toHaveLength(2);
  });

  it("answers with an apology when the answerer throws, so no message is left without a reply", async () => {
    const store = new MemoryTurnStore();
    const turns = new Turns(fakePorts(store, { answer: () => Promise.reject(new Error("boom")) }).ports);
    const result = await turns.send(input(1));
    expect(result).toMatchObject({ ok: true, value: { reply: { meta: { mode: "degraded", answerer: "apology" } } } });
  });
});

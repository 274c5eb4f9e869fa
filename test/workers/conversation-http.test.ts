import { describe, expect, it } from "vitest";
import { call, createConversation, send, transcript, cid } from "./helpers.ts";

describe("conversation over HTTP", () => {
  it("creates a conversation, sends a message and reads it back in the transcript", async () => {
    const conv = await createConversation({ locale: "en" });
    expect(conv.id).toMatch(/^[0-9a-f]{64}$/);
    expect(conv.websocketUrl).toBe(`wss://holdfast.test/v1/conversations/${conv.id}/ws`);
    const res = await send(conv, "Where is my order?", cid(1));
    expect(res.status).toBe(200);
    const turn = await res.json<{ message: { seq: number; text: string }; reply: { seq: number; replyTo: number; role: string } }>();
    expect(turn.message).toMatchObject({ seq: 1, text: "Where is my order?" });
    expect(turn.reply).toMatchObject({ seq: 2, replyTo: 1, role: "assistant" });
    const messages = await transcript(conv);
    expect(messages.map((m) => [m.seq, m.role])).toEqual([
      [1, "customer"],
      [2, "assistant"],
    ]);
  });

  it("stores a retried send once and returns the original turn", async () => {
    const conv = await createConversation();
    const first = await (await send(conv, "hello", cid("retry"))).json<{ message: { seq: number }; duplicate: boolean }>();
    const again = await (await send(conv, "hello", cid("retry"))).json<{ message: { seq: number }; duplicate: boolean }>();
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, message: { seq: first.message.seq } });
    expect(await transcript(conv)).toHaveLength(2);
  });

  it("keeps order and count for 20 concurrent sends", async () => {
    const conv = await createConversation();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(conv, `question ${i}`, cid(`c${i}`))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const messages = await transcript(conv);
    expect(messages).toHaveLength(40);
    // Each turn is contiguous: customer message then its reply, never interleaved.
    for (let i = 0; i < 40; i += 2) {
      expect(messages[i]).toMatchObject({ seq: i + 1, role: "customer" });
      expect(messages[i + 1]).toMatchObject({ seq: i + 2, role: "assistant", replyTo: i + 1 });
    }
    expect(new Set(messages.filter((m) => m.role === "customer").map((m) => m.text)).size).toBe(20);
  });

  it("streams a reply as server-sent events", async () => {
    const conv = await createConversation();
    const res = await send(conv, "你好", cid("sse"), { Accept: "text/event-stream" });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const body = await res.text();
    const events = [...body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message");
    expect(events.at(-1)).toBe("done");
    expect(body).toContain("您好");
  });

  it("closes a conversation and refuses further sends with 409", async () => {
    const conv = await createConversation();
    await send(conv, "hi there", cid("before"));
    const del = await call(`/v1/conversations/${conv.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${conv.token}` } });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ status: "closed", closeReason: "closed_by_customer" });
    const res = await send(conv, "anyone?", cid("after"));
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "conversation_closed" } });
    expect(await transcript(conv)).toHaveLength(2);
  });
});

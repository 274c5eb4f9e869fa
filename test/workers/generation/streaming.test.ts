// Grounded generation streamed through the real ConversationDO over WebSocket and SSE, with
// a FAKE OpenAI-compatible server standing in for the model (none can run offline).
import { beforeAll, describe, expect, inject, it } from "vitest";
import { cid, createConversation, send, SocketClient, warmReplica } from "../helpers.ts";

const script = (behaviour: unknown) => fetch(`${inject("llmUrl")}/_fake/script`, { method: "POST", body: JSON.stringify(behaviour) });
const GENERATED = ["We issue the refund within 3 business days of receiving your return. ", "Your bank then takes 5–10 business days to show it."];

beforeAll(() => warmReplica("weur"));

describe("generated answers stream to the customer (fake LLM)", () => {
  it("over WebSocket: delta frames arrive before the stored reply, which holds the whole text", async () => {
    await script({ kind: "stream", chunks: GENERATED });
    const conv = await createConversation();
    const client = await SocketClient.open(conv);
    client.send({ type: "message", text: "How long does a refund take?", clientMessageId: cid("gen-ws") });
    await client.until((c) => c.messages().some((m) => m.role === "assistant"));
    const types = client.frames.map((f) => f.type);
    expect(types.filter((t) => t === "delta")).toHaveLength(2);
    expect(types.lastIndexOf("delta")).toBeLessThan(types.lastIndexOf("message"));
    const reply = client.messages().find((m) => m.role === "assistant")!;
    expect(reply.text).toBe(GENERATED.join("").trim());
    expect((reply as { meta?: { answerer?: string } }).meta?.answerer).toBe("generated");
  });

  it("over SSE: message, deltas, then done with the stored reply", async () => {
    await script({ kind: "stream", chunks: GENERATED });
    const conv = await createConversation();
    const res = await send(conv, "How long does a refund take?", cid("gen-sse"), { Accept: "text/event-stream" });
    const body = await res.text();
    const events = [...body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => [m[1], JSON.parse(m[2]!)] as const);
    expect(events.map(([e]) => e)).toEqual(["message", "delta", "delta", "done"]);
    expect(events[1]![1]).toEqual({ text: GENERATED[0]!.trim() });
    expect(events[3]![1]).toMatchObject({ role: "assistant", text: GENERATED.join("").trim() });
  });

  it("falls back to the article's own text when the provider fails, and still replies", async () => {
    await script({ kind: "status", status: 503 });
    const conv = await createConversation();
    const res = await send(conv, "How long does a refund take?", cid("gen-fail"));
    const { reply } = await res.json<{ reply: { text: string; meta: { answerer: string; generation: { fallback: string } } } }>();
    expect(reply.meta).toMatchObject({ answerer: "kb", generation: { fallback: "provider_error" } });
    expect(reply.text).toContain("We issue the refund within 3 business days");
  });
});

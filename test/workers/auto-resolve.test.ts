// Auto-resolve in workerd: a conversation whose last message is the bot's answer and that
// stays quiet for AUTO_RESOLVE_MINUTES closes as resolved (assumed) on its own alarm, with a
// rating request when its team wants one (CSAT_ON_RESOLVE); anything else waits for the idle close.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import type { ConversationDO } from "../../src/index.ts";
import { call, cid, createConversation, send, SocketClient, type Created, warmReplica } from "./helpers.ts";

beforeAll(() => warmReplica("weur"), 60_000);

const stubOf = (conv: Created) => env.CONVERSATION.get(env.CONVERSATION.idFromString(conv.id));

/** Makes the conversation look quiet for `minutes` (its last activity that long ago). */
function quietFor(conv: Created, minutes: number): Promise<void> {
  return runInDurableObject(stubOf(conv), (_i: ConversationDO, state) => void state.storage.sql.exec("UPDATE conversation SET last_activity_at = ?", Date.now() - minutes * 60_000));
}

async function answered(conv: Created, text = "How do I reset my password?"): Promise<void> {
  const turn = await (await send(conv, text, cid(`ar-${crypto.randomUUID().slice(0, 6)}`))).json<{ reply: { meta: { decision: string } } }>();
  expect(turn.reply.meta.decision).toBe("answer");
}

async function meta(conv: Created): Promise<{ status: string; closeReason?: string }> {
  return runInDurableObject(stubOf(conv), async (instance: ConversationDO) => {
    const page = await instance.export();
    if (!page.ok) throw new Error(page.code);
    return page.value.conversation;
  });
}

describe("auto-resolve", () => {
  it("closes a conversation whose answer stood for AUTO_RESOLVE_MINUTES as auto_resolved, asking for a rating first", async () => {
    const conv = await createConversation();
    await answered(conv);
    const client = await SocketClient.open(conv, { after: 1_000 });
    // Quiet, but not for 15 minutes (AUTO_RESOLVE_MINUTES' default): still open.
    await quietFor(conv, 0.5);
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    expect(await meta(conv)).toMatchObject({ status: "open" });
    await quietFor(conv, 16);
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    await client.until((c) => c.closed !== null);
    expect(client.frames.slice(-2)).toEqual([{ type: "rating_request" }, { type: "closed", reason: "auto_resolved" }]);
    expect(client.closed).toEqual({ code: 1000, reason: "auto_resolved" });
    expect(await meta(conv)).toMatchObject({ status: "closed", closeReason: "auto_resolved" });
    // Rating a closed conversation works as ever.
    const rated = await call(`/v1/conversations/${conv.id}/rating`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ score: 5 }) });
    expect(rated.status).toBe(200);
  });

  it("asks for no rating when the conversation's team does not want one (CSAT_ON_RESOLVE)", async () => {
    const conv = await createConversation({ team: "no-csat" });
    await runInDurableObject(stubOf(conv), (instance: ConversationDO) => {
      const held = instance as unknown as { config: Config };
      held.config = { ...held.config, csatOnResolve: (team) => team !== "no-csat" };
    });
    await answered(conv);
    const client = await SocketClient.open(conv, { after: 1_000 });
    await quietFor(conv, 16);
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    await client.until((c) => c.closed !== null);
    expect(client.frames).toEqual([{ type: "closed", reason: "auto_resolved" }]);
  });

  it.each([
    ["the bot asked back or could not answer", async (conv: Created) => void (await send(conv, "zzqx blorf?", cid("ar-q")))],
    [
      "the customer asked for a person after the answer",
      async (conv: Created) => {
        await answered(conv);
        await call(`/v1/conversations/${conv.id}/handoff`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: "{}" });
      },
    ],
  ])("leaves the idle close to a conversation where %s", async (_name, arrange) => {
    const conv = await createConversation({ team: `ar-${crypto.randomUUID().slice(0, 8)}` });
    await arrange(conv);
    const client = await SocketClient.open(conv, { after: 1_000 });
    await quietFor(conv, 16);
    expect(await runDurableObjectAlarm(stubOf(conv))).toBe(true);
    await client.until((c) => c.closed !== null);
    expect(client.frames.filter((f) => f.type === "closed" || f.type === "rating_request")).toEqual([{ type: "closed", reason: "idle_timeout" }]);
  });
});

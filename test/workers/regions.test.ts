import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationAt } from "../../src/platform/conversations.ts";
import type { ConversationDO } from "../../src/index.ts";
import { call, cid, send, SocketClient, transcript, type Created } from "./helpers.ts";

async function createFrom(cf: Record<string, string>, headers: Record<string, string> = {}): Promise<Created> {
  const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: "{}", cf } as RequestInit);
  expect(res.status).toBe(201);
  return res.json();
}

function record(conv: Created) {
  const address = conversationAt(env.CONVERSATION, conv.id, false)!;
  return runInDurableObject(env.CONVERSATION.get(address.objectId), (_: ConversationDO, state) =>
    state.storage.sql.exec<{ region: string; jurisdiction: string | null }>("SELECT region, jurisdiction FROM conversation").one(),
  );
}

describe("regions and jurisdictions", () => {
  it("keeps a conversation started in Germany in the eu jurisdiction, and every later request finds it there", async () => {
    const conv = await createFrom({ country: "DE", continent: "EU", colo: "FRA" });
    expect(conv.id).toMatch(/^eu-[0-9a-f]{64}$/);
    expect(await record(conv)).toEqual({ region: "weur", jurisdiction: "eu" });
    expect((await send(conv, "How do I reset my password?", cid("eu1"))).status).toBe(200);
    const client = await SocketClient.open(conv, { after: 0 });
    await client.until((c) => c.messages().length === 2);
    expect((await transcript(conv)).map((m) => m.role)).toEqual(["customer", "assistant"]);
    // The id's jurisdiction is part of the signed id: stripping it is another conversation.
    const stripped = { ...conv, id: conv.id.slice(3) };
    expect((await send(stripped, "hi", cid("eu2"))).status).toBe(403);
  });

  it.each([
    [{ country: "US", continent: "NA", longitude: "-122.4" }, "wnam", null],
    [{ country: "US", continent: "NA", longitude: "-74.0" }, "enam", null],
    [{ country: "BR", continent: "SA" }, "sam", null],
    [{ country: "PL", continent: "EU" }, "eeur", "eu"],
    [{ country: "GB", continent: "EU" }, "weur", null],
    [{ country: "AE", continent: "AS" }, "me", null],
    [{ country: "JP", continent: "AS" }, "apac", null],
    [{ country: "AU", continent: "OC" }, "oc", null],
    [{ country: "NG", continent: "AF" }, "afr", null],
    [{}, "weur", null],
  ])("places a conversation from %j in %s", async (cf, region, jurisdiction) => {
    const conv = await createFrom(cf as Record<string, string>);
    expect(await record(conv)).toEqual({ region, jurisdiction });
  });

  it("lets development force the region with a header", async () => {
    const conv = await createFrom({ country: "US", continent: "NA", longitude: "-122" }, { "X-Holdfast-Region": "apac" });
    expect((await record(conv)).region).toBe("apac");
  });
});

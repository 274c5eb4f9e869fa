// Replica shards (REPLICA_SHARDS="apac=3" in these tests): a region's conversations spread
// over shard replicas by a stable hash, each syncs on its own, the status lists every
// shard, and a failing shard falls back to a sibling before the neighbouring region.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/edge/hash.ts";
import type { KnowledgeReplicaDO } from "../../src/index.ts";
import { admin, call, cid, setFaults, type Created } from "./helpers.ts";

const inApac = async (): Promise<Created> => {
  const res = await call("/v1/conversations", { method: "POST", headers: { "Content-Type": "application/json", "X-Holdfast-Region": "apac" }, body: "{}" });
  return res.json();
};
const ask = async (conv: Created, text: string, n: string) => {
  const res = await call(`/v1/conversations/${conv.id}/messages`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` }, body: JSON.stringify({ text, clientMessageId: cid(n) }) });
  return (await res.json<{ reply: { meta: Record<string, unknown> } }>()).reply.meta;
};
const shardReplica = (shard: number) => env.KB_REPLICA.get(env.KB_REPLICA.idFromName(shard ? `apac:${shard}` : "apac"));

describe("replica shards", () => {
  it("lists every shard of every region in the KB status", async () => {
    const status = await (await admin("/status")).json<{ replicas: Array<{ region: string; shard: number }> }>();
    expect(status.replicas.filter((r) => r.region === "apac").map((r) => r.shard)).toEqual([0, 1, 2]);
    expect(status.replicas.filter((r) => r.region === "weur").map((r) => r.shard)).toEqual([0]);
  });

  it("answers each conversation from the shard its id hashes to", async () => {
    // Every shard holds a copy first: a shard still in its first sync hands a turn to another.
    await Promise.all([0, 1, 2].map((s) => shardReplica(s).sync()));
    const conv = await inApac();
    const shard = shardOf(conv.id, 3);
    // Two different questions: the first one's memory note travels with the second retrieval.
    await ask(conv, "How do I reset my password?", "sh1");
    await ask(conv, "How long does a refund take?", "sh2");
    const notes = await Promise.all([0, 1, 2].map((s) => runInDurableObject(shardReplica(s), (i: KnowledgeReplicaDO) => (i as unknown as { unsaved: Map<string, unknown> }).unsaved.size)));
    expect(notes.map((n, s) => (s === shard ? n > 0 : n === 0))).toEqual([true, true, true]);
  });

  it("falls back to a sibling shard of the region when the conversation's own shard fails", async () => {
    const conv = await inApac();
    await setFaults(`replica-shard-down=${shardOf(conv.id, 3)}`);
    try {
      const meta = await ask(conv, "Which payment methods do you accept?", "sib1");
      expect(meta).toMatchObject({ mode: "degraded", answerer: "sibling", degraded: { reason: "replica_unavailable" } });
    } finally {
      await setFaults();
    }
  });
});

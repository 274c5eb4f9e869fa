// Reranking with RERANKER_PROVIDER=openai against a FAKE /v1/rerank server (character n-gram
// overlap, no model: test/support/fake-embeddings.ts): held-out questions' scores are cached
// in the replica's SQLite at training, a retrieval asks the conversation to rerank its best
// articles, a turn reranks them and the signal reaches the calibration, and a failing or
// hanging server opens the "reranker" breaker while answers go on as without it, never degraded.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { Message } from "../../../src/conversation/types.ts";
import type { KnowledgeReplicaDO } from "../../../src/index.ts";
import { breakerCoolDown, cid, createConversation, send, unique, warmReplica } from "../helpers.ts";

const fake = inject("embeddingsUrl");
const script = (behaviour: unknown) => fetch(`${fake}/_fake/script`, { method: "POST", body: JSON.stringify(behaviour) });
const requests = async () => (await fetch(`${fake}/_fake/requests`)).json<Array<{ model: string; input: string[]; query?: string }>>();
const scoreRows = (replica: DurableObjectStub<KnowledgeReplicaDO>) =>
  runInDurableObject(replica, (_, state) => state.storage.sql.exec<{ space: string; n: number }>("SELECT space, COUNT(*) AS n FROM rerank_scores GROUP BY space").toArray());

// Training with cross-validation (and, here, reranking held-out questions) takes a while on a busy machine.
beforeAll(() => warmReplica("weur"), 120_000);

afterEach(async () => {
  await script({ kind: "ok" });
  await breakerCoolDown();
});

let n = 0;
async function ask(text: string): Promise<Message> {
  const res = await send(await createConversation(), text, cid(`rr${n++}`));
  expect(res.status).toBe(200);
  return (await res.json<{ reply: Message }>()).reply;
}

describe("training with a reranker (fake)", () => {
  it("caches held-out questions' scores in the replica and fits a rerank tuning; a retrieval asks for its best articles' passages to be reranked", async () => {
    const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName(`rerank-${unique()}`));
    await script({ kind: "ok" });
    await replica.sync();
    await replica.train();
    const asked = (await requests()).length;
    expect(asked).toBeGreaterThan(0);
    expect((await requests()).every((r) => r.model === "fake-rerank" && r.query !== undefined)).toBe(true);
    const rows = await scoreRows(replica);
    expect(rows).toEqual([{ space: "openai:fake-rerank", n: expect.any(Number) }]);
    expect(rows[0]!.n).toBeGreaterThan(0);
    // Status says what the reranker holds and whether each language's tuning uses it.
    const status = await replica.status();
    expect(status.reranker).toEqual({ space: "openai:fake-rerank", cachedScores: rows[0]!.n, languages: expect.any(Object) });
    expect(Object.keys(status.reranker!.languages).length).toBeGreaterThan(0);
    expect(status.reranker!.languages.en).toBe("used");

    const retrieval = await replica.retrieve("When will my money come back after I return something?", { language: "en" });
    expect(retrieval.rerank?.tuning).toMatchObject({ space: "openai:fake-rerank", weight: expect.any(Number) });
    expect(retrieval.rerank?.tuning.calibration.correct.rerank).toEqual(expect.any(Number));
    expect(retrieval.rerank?.passages.length).toBe(retrieval.rerank?.view.pool.length);
    const pool = retrieval.rerank!.view.pool;
    expect(pool[0]).toBe(retrieval.candidates[0]!.id);
    for (const c of retrieval.candidates.filter((c) => pool.includes(c.id))) expect(retrieval.rerank!.passages[pool.indexOf(c.id)]!.startsWith(`${c.title}\n`)).toBe(true);
  }, 120_000);
});

describe("the rerank signal in a turn (fake)", () => {
  it("each turn reranks the redacted question's best articles through the fake server, and the reply is normal", async () => {
    await script({ kind: "ok" });
    const reply = await ask(`How long does a refund take? Write to me at ana.${unique()}@example.com`);
    expect(reply.meta).toMatchObject({ mode: "normal", decision: "answer", citations: [{ articleId: "en:refund-time" }] });
    expect(reply.meta?.breakers?.reranker).toBe("closed");
    const sent = await requests();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query).toContain("How long does a refund take?");
    expect(sent[0]!.query).not.toContain("@example.com");
    expect(sent[0]!.input.length).toBeGreaterThan(1);
  });

  it.each([
    ["failing", { kind: "status", status: 500 }],
    ["hanging (past RERANKER_TIMEOUT_MS)", { kind: "hang" }],
  ])("a %s server opens the reranker breaker; answers are what they are without it, normal, and stop calling it until the cool-down", async (_, behaviour) => {
    await script(behaviour);
    const question = "How do I reset my password?";
    const replies: Message[] = [];
    for (let i = 0; i < 4; i++) replies.push(await ask(`${question} ${unique()}`));
    for (const reply of replies) expect(reply.meta).toMatchObject({ mode: "normal" });
    expect(replies.at(-1)!.meta?.breakers?.reranker).toBe("open");
    // BREAKER_FAILURES (3) calls, then none while the breaker is open: the fourth answer had no scores either, and matches the others.
    expect(await requests()).toHaveLength(3);
    const plain = (m: Message) => ({ decision: m.meta?.decision, citations: m.meta?.citations?.map((c) => c.articleId) });
    for (const reply of replies) expect(plain(reply)).toEqual(plain(replies.at(-1)!));

    await script({ kind: "ok" });
    await breakerCoolDown();
    const after = await ask(`${question} ${unique()}`);
    expect(after.meta?.breakers?.reranker).toBe("closed");
    expect(await requests()).toHaveLength(1);
  });
});

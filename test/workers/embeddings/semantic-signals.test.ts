// Semantic signals with EMBEDDINGS_PROVIDER=openai against a FAKE embeddings server (hashed
// character n-grams, no model: test/support/fake-embeddings.ts): article vectors are kept in
// the replica's SQLite and recomputed only for changed articles, a sync never waits for
// them, a question's vector reaches the calibration, and a failing or hanging server opens
// the "embeddings" breaker while answers go on, lexical and not degraded.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { Message } from "../../../src/conversation/types.ts";
import type { KnowledgeReplicaDO } from "../../../src/index.ts";
import { admin, breakerCoolDown, cid, createArticle, createConversation, send, unique, warmReplica } from "../helpers.ts";

const fake = inject("embeddingsUrl");
const script = (behaviour: unknown) => fetch(`${fake}/_fake/script`, { method: "POST", body: JSON.stringify(behaviour) });
const requests = async () => (await fetch(`${fake}/_fake/requests`)).json<Array<{ model: string; input: string[] }>>();
/** The fake's vector of a text, over HTTP as the Worker gets it. */
async function vectorOf(text: string): Promise<Float32Array> {
  const res = await fetch(`${fake}/v1/embeddings`, { method: "POST", body: JSON.stringify({ model: "fake-embed", input: [text] }) });
  return Float32Array.from((await res.json<{ data: Array<{ embedding: number[] }> }>()).data[0]!.embedding);
}
const freshReplica = () => env.KB_REPLICA.get(env.KB_REPLICA.idFromName(`embed-${unique()}`));
const vectorRows = (replica: DurableObjectStub<KnowledgeReplicaDO>) =>
  runInDurableObject(replica, (_, state) => state.storage.sql.exec<{ article_id: string; stamp: string; space: string }>("SELECT article_id, stamp, space FROM article_vectors").toArray());

// Training with cross-validation (and, here, embedding the demo KB) takes a while on a busy machine.
beforeAll(() => warmReplica("weur"), 60_000);

afterEach(async () => {
  await script({ kind: "ok" });
  await breakerCoolDown();
});

let n = 0;
async function ask(text: string): Promise<Message> {
  const res = await send(await createConversation(), text, cid(`em${n++}`));
  expect(res.status).toBe(200);
  return (await res.json<{ reply: Message }>()).reply;
}

describe("article vectors (fake embeddings)", () => {
  it("are stored in the replica at sync, one row per article in the model's space, and only a changed article is embedded again", async () => {
    const replica = freshReplica();
    const status = await replica.sync();
    await replica.train();
    const rows = await vectorRows(replica);
    expect((await replica.status()).embeddings).toEqual({ space: "openai:fake-embed", articles: status.articles });
    expect(rows).toHaveLength(status.articles);
    expect(new Set(rows.map((r) => r.space))).toEqual(new Set(["openai:fake-embed"]));

    const tag = unique();
    const { id } = await createArticle({ slug: `kite-${tag}`, locale: "en", title: `Kite strings ${tag}`, answer: "Every kite ships with 30 m of string.", questions: ["How long is the kite string?"] });
    await script({ kind: "ok" });
    await replica.sync();
    await replica.train();
    const sent = await requests();
    expect(sent.map((r) => r.model)).toEqual(["fake-embed"]);
    expect(sent[0]!.input).toEqual([`Kite strings ${tag}`, "How long is the kite string?"]);
    expect((await vectorRows(replica)).find((r) => r.article_id === id)?.stamp).toMatch(/^\d+:\d+\/0\/0$/);

    // Deleted: its vectors go with it.
    await admin(`/articles/${encodeURIComponent(id)}`, { method: "DELETE" });
    await replica.sync();
    await replica.train();
    expect((await vectorRows(replica)).some((r) => r.article_id === id)).toBe(false);
  }, 60_000);

  it("a failing embeddings server does not hold up a sync; the vectors and the semantic tuning catch up on a later alarm", async () => {
    const vector = await vectorOf("How long does a refund take?");
    await script({ kind: "status", status: 503 });
    const replica = freshReplica();
    const status = await replica.sync();
    expect(status).toMatchObject({ failures: 0, stale: false });
    expect(status.kbVersion).toBe(status.primaryVersion);
    await replica.train();
    expect((await replica.status()).embeddings?.articles).toBe(0);
    const lexical = await replica.retrieve("How long does a refund take?", { language: "en", vector });
    expect(lexical.tuning?.semantic).toBeUndefined();
    expect(lexical.modelTop?.semantic).toBeUndefined();

    await script({ kind: "ok" });
    await replica.status(true);
    expect(await runDurableObjectAlarm(replica)).toBe(true);
    await replica.train();
    expect((await replica.status()).embeddings?.articles).toBe(status.articles);
    const semantic = await replica.retrieve("How long does a refund take?", { language: "en", vector });
    expect(semantic.tuning).toMatchObject({ space: "openai:fake-embed" });

  }, 60_000);
});

describe("the semantic signal (fake embeddings)", () => {
  it("a question with a vector gets the semantic signal and the calibration fitted with it; without one, the lexical calibration", async () => {
    const replica = env.KB_REPLICA.get(env.KB_REPLICA.idFromName("weur"));
    const question = "When will my money come back after I return something?";
    const withVector = await replica.retrieve(question, { language: "en", vector: await vectorOf(question) });
    expect(withVector.modelTop?.semantic).toEqual(expect.any(Number));
    expect(withVector.tuning).toMatchObject({ space: "openai:fake-embed", fusion: expect.any(Number) });
    expect(withVector.tuning?.calibration.inScope.semantic).toEqual(expect.any(Number));
    expect(withVector.tuning?.calibration.correct.semantic).toEqual(expect.any(Number));

    const without = await replica.retrieve(question, { language: "en" });
    expect(without.modelTop).not.toHaveProperty("semantic");
    expect(without.tuning?.calibration.inScope).not.toHaveProperty("semantic");
    expect(without.tuning?.semantic).toMatchObject({ space: "openai:fake-embed" });
  });

  it("each turn embeds the redacted question through the fake server, and the reply is normal", async () => {
    await script({ kind: "ok" });
    const reply = await ask(`How long does a refund take? Write to me at ana.${unique()}@example.com`);
    expect(reply.meta).toMatchObject({ mode: "normal", decision: "answer", citations: [{ articleId: "en:refund-time" }] });
    expect(reply.meta?.breakers?.embeddings).toBe("closed");
    const sent = (await requests()).flatMap((r) => r.input);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("How long does a refund take?");
    expect(sent[0]).not.toContain("@example.com");
  });

  it.each([
    ["failing", { kind: "status", status: 500 }],
    ["hanging (past EMBEDDINGS_TIMEOUT_MS)", { kind: "hang" }],
  ])("a %s server opens the embeddings breaker; answers stay lexical and normal, and stop calling it until the cool-down", async (_, behaviour) => {
    await script(behaviour);
    const questions = ["How do I reset my password?", "How do I track my order?", "Can I change my delivery address?", "How long does shipping take?"];
    const replies: Message[] = [];
    for (const q of questions) replies.push(await ask(`${q} ${unique()}`));
    for (const reply of replies) expect(reply.meta).toMatchObject({ mode: "normal" });
    expect(replies.map((r) => r.meta?.decision)).toContain("answer");
    expect(replies.at(-1)!.meta?.breakers?.embeddings).toBe("open");
    // BREAKER_FAILURES (3) calls, then none while the breaker is open.
    expect(await requests()).toHaveLength(3);

    await script({ kind: "ok" });
    await breakerCoolDown();
    const after = await ask(`How do I reset my password? ${unique()}`);
    expect(after.meta?.breakers?.embeddings).toBe("closed");
    expect(await requests()).toHaveLength(1);
  });
});

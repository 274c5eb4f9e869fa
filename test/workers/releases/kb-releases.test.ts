// KB releases through the real Worker, its Durable Objects and a real libSQL primary
// (KB_RELEASES on, the default): writes are staged, a release opens a canary of them, new
// conversations keep the arm they started with, the candidate never reaches a stable
// conversation (not through the replica, nor the answer cache), and a release closes by hand
// or by the guard — audited, signed webhook, writes promoted or back to pending.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { inject } from "vitest";
import { afterEach, describe, expect, it } from "vitest";
import { verifySignature } from "../../../src/ops/alert-delivery.ts";
import type { ReceivedHook } from "../../support/webhook-receiver.ts";
import { ADMIN_KEY, breakerCoolDown, setFaults, unique, warmReplica } from "../helpers.ts";
import { as, asAdmin, ask, cited, conversationIn, operatorKey, warmCandidate, type ReleaseBody } from "./helpers.ts";

const REGION = "oc";
const receiver = inject("webhookUrl");
const hooks = async () => (await fetch(`${receiver}/received`)).json<ReceivedHook[]>();
const lantern = (tag: string) => ({
  slug: `lanterns-${tag}`,
  locale: "en",
  title: "How do I polish brass lanterns?",
  answer: `Use a soft cloth and brass polish (${tag}).`,
  questions: ["How do I polish a brass lantern?", "My brass lantern looks dull", "Cleaning brass lanterns"],
  status: "published",
});
const QUESTION = "how do i polish my brass lantern";
/** A fresh replica trains its classifiers, and each arm needs its conversations. */
const SLOW = 90_000;
const chessboard = (tag: string) => ({
  slug: `chessboards-${tag}`,
  locale: "en",
  title: "How do I oil a wooden chessboard?",
  answer: `Rub in a little walnut oil twice a year (${tag}).`,
  questions: ["How do I oil a wooden chessboard?", "My chessboard looks dry", "Caring for a wooden chessboard"],
  status: "published",
});

async function openRelease(body: Record<string, unknown>, key = ADMIN_KEY): Promise<ReleaseBody> {
  const res = await as(key, "POST", "/v1/admin/kb/releases", body);
  if (res.status !== 201) throw new Error(`open: ${res.status} ${await res.text()}`);
  return res.json<ReleaseBody>();
}

/** Closes whatever release is open, so each test starts with none. */
afterEach(async () => {
  await setFaults();
  const { releases } = await (await asAdmin("GET", "/v1/admin/kb/releases?limit=1")).json<{ releases: ReleaseBody[] }>();
  if (releases[0]?.state === "canary") await asAdmin("POST", `/v1/admin/kb/releases/${releases[0].id}/rollback`);
  await asAdmin("DELETE", "/v1/admin/kb/releases/pending");
});

/** Conversations of the region until each arm has `n`, each asking QUESTION once. */
async function bothArms(n: number) {
  type Member = { conv: Awaited<ReturnType<typeof conversationIn>>; reply: Awaited<ReturnType<typeof ask>> };
  const arms: Record<"canary" | "stable", Member[]> = { canary: [], stable: [] };
  for (let i = 0; i < 120 && (arms.canary.length < n || arms.stable.length < n); i++) {
    const conv = await conversationIn(REGION);
    const reply = await ask(conv, QUESTION);
    arms[reply.meta.release!.arm].push({ conv, reply });
  }
  return arms;
}

describe("KB releases", () => {
  it("stages writes once the KB has a stable version, lists them, and opens one release at a time", async () => {
    const tag = unique();
    const created = await asAdmin("POST", "/v1/admin/kb/articles", lantern(tag));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: `en:lanterns-${tag}`, staged: true });
    const patched = await asAdmin("PATCH", `/v1/admin/kb/articles/${encodeURIComponent(`en:lanterns-${tag}`)}`, { title: "Polishing brass lanterns" });
    expect(await patched.json()).toMatchObject({ title: "Polishing brass lanterns", staged: true });
    const removed = await asAdmin("DELETE", `/v1/admin/kb/articles/${encodeURIComponent("en:gift-cards")}`);
    expect(await removed.json()).toEqual({ id: "en:gift-cards", deleted: true, staged: true });
    // The live KB is untouched: the article a staged delete names is still there.
    expect((await asAdmin("GET", "/v1/admin/kb/articles?locale=en&limit=500")).status).toBe(200);
    const { writes } = await (await asAdmin("GET", "/v1/admin/kb/releases/pending")).json<{ writes: Array<{ id: string; deleted: boolean; live: boolean }> }>();
    expect(writes).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: `en:lanterns-${tag}`, deleted: false, live: false }), expect.objectContaining({ id: "en:gift-cards", deleted: true, live: true })]),
    );

    const release = await openRelease({ percent: 10 });
    expect(release).toMatchObject({ state: "canary", kind: "kb", percent: 10, articles: 2 });
    expect(release.candidateVersion).toBeGreaterThan(release.stableVersion);
    const again = await asAdmin("POST", "/v1/admin/kb/releases", { percent: 10 });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: "release_open" } });
    // A write now waits for the next release.
    const { writes: next } = await (await asAdmin("GET", "/v1/admin/kb/releases/pending")).json<{ writes: unknown[] }>();
    expect(next).toEqual([]);

    const rolled = await asAdmin("POST", `/v1/admin/kb/releases/${release.id}/rollback`);
    expect(await rolled.json()).toMatchObject({ state: "rolled_back", closedBy: expect.any(String) });
    const { writes: back } = await (await asAdmin("GET", "/v1/admin/kb/releases/pending")).json<{ writes: unknown[] }>();
    expect(back).toHaveLength(2);
    expect((await asAdmin("POST", `/v1/admin/kb/releases/${release.id}/promote`)).status).toBe(409);
    const discarded = await (await asAdmin("DELETE", "/v1/admin/kb/releases/pending")).json<{ discarded: number }>();
    expect(discarded.discarded).toBe(2);
    const empty = await asAdmin("POST", "/v1/admin/kb/releases", { percent: 10 });
    expect(await empty.json()).toMatchObject({ error: { code: "nothing_to_release" } });
  });

  it("lets editors run KB releases, ops viewers read them, and nobody else", async () => {
    const [editor, viewer, agent] = await Promise.all([operatorKey("kb_editor"), operatorKey("ops_viewer"), operatorKey("agent")]);
    await as(editor, "POST", "/v1/admin/kb/articles", lantern(unique()));
    expect((await as(viewer, "POST", "/v1/admin/kb/releases", { percent: 5 })).status).toBe(403);
    expect((await as(agent, "GET", "/v1/admin/kb/releases")).status).toBe(403);
    const release = await openRelease({ percent: 5 }, editor);
    expect((await as(viewer, "GET", `/v1/admin/kb/releases/${release.id}`)).status).toBe(200);
    expect((await as(viewer, "POST", `/v1/admin/kb/releases/${release.id}/rollback`)).status).toBe(403);
    expect((await as(editor, "POST", "/v1/admin/settings/releases", { percent: 5, changes: { generation: false } })).status).toBe(403);
    expect((await as(editor, "POST", `/v1/admin/kb/releases/${release.id}/rollback`)).status).toBe(200);
    expect((await asAdmin("GET", "/v1/admin/kb/releases/rel_0000000000000000")).status).toBe(404);
    expect((await asAdmin("POST", "/v1/admin/kb/releases", { percent: 0 })).status).toBe(400);
    expect((await asAdmin("POST", "/v1/admin/kb/releases", { percent: 10, guard: { maxMinutes: -1 } })).status).toBe(400);
    for (const alpha of [0, 0.5, "0.01"]) expect((await asAdmin("POST", "/v1/admin/kb/releases", { percent: 10, guard: { alpha } })).status).toBe(400);
  });

  it("keeps the guard's alpha a release was opened with, and the default when none was given", async () => {
    await asAdmin("POST", "/v1/admin/kb/articles", lantern(unique()));
    const strict = await openRelease({ percent: 5, guard: { alpha: 0.01, autoPromote: false } });
    expect(strict.guard).toEqual({ minConversations: 20, maxMinutes: 60, autoPromote: false, alpha: 0.01 });
    expect((await (await asAdmin("GET", `/v1/admin/kb/releases/${strict.id}`)).json<ReleaseBody>()).guard.alpha).toBe(0.01);
    expect((await asAdmin("POST", `/v1/admin/kb/releases/${strict.id}/rollback`)).status).toBe(200);
    await asAdmin("DELETE", "/v1/admin/kb/releases/pending");
    await asAdmin("POST", "/v1/admin/kb/articles", lantern(unique()));
    const usual = await openRelease({ percent: 5 });
    expect(usual.guard.alpha).toBe(0.05);
    expect((await asAdmin("POST", `/v1/admin/kb/releases/${usual.id}/rollback`)).status).toBe(200);
    await asAdmin("DELETE", "/v1/admin/kb/releases/pending");
  });

  it("answers a sticky canary share from the candidate and never gives a stable conversation a candidate answer, through the replica or the cache", async () => {
    const tag = unique();
    const id = `en:lanterns-${tag}`;
    await asAdmin("POST", "/v1/admin/kb/articles", lantern(tag));
    await warmReplica(REGION);
    const release = await openRelease({ percent: 50, guard: { minConversations: 1000, maxMinutes: 600 } });
    await warmCandidate(REGION, release.id);

    const arms = await bothArms(3);
    for (const { reply } of arms.canary) {
      expect(reply.meta).toMatchObject({ decision: "answer", kbVersion: release.candidateVersion, release: { id: release.id, arm: "canary" } });
      expect(cited(reply)).toBe(id);
    }
    for (const { reply } of arms.stable) {
      expect(cited(reply)).not.toBe(id);
      expect(reply.text).not.toContain(tag);
      expect(reply.meta.kbVersion).not.toBe(release.candidateVersion);
    }
    // Sticky: each conversation keeps its arm for its next questions.
    for (const arm of ["canary", "stable"] as const) for (const { conv } of arms[arm]) expect((await ask(conv, QUESTION)).meta.release?.arm).toBe(arm);

    // With the region's replicas down, answers come from the colo's cache: a stable
    // conversation must not find the canary's cached answer there.
    await setFaults("replica-down");
    const stableAgain = await ask(arms.stable[0]!.conv, QUESTION);
    expect(stableAgain.text).not.toContain(tag);
    const canaryAgain = await ask(arms.canary[0]!.conv, QUESTION);
    expect(canaryAgain.meta.release?.arm).toBe("canary");
    await setFaults();
    await breakerCoolDown();

    // The comparison counts both arms over the same period.
    const status = await (await asAdmin("GET", `/v1/admin/kb/releases/${release.id}`)).json<ReleaseBody>();
    expect(status.comparison?.canary.conversations).toBeGreaterThanOrEqual(3);
    expect(status.comparison?.stable.conversations).toBeGreaterThanOrEqual(3);
  }, SLOW);

  it("promotes by hand: the candidate becomes stable for everyone, audited", async () => {
    const tag = unique();
    await asAdmin("POST", "/v1/admin/kb/articles", chessboard(tag));
    const release = await openRelease({ percent: 1, guard: { autoPromote: false } });
    const promoted = await asAdmin("POST", `/v1/admin/kb/releases/${release.id}/promote`);
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ state: "promoted" });
    const article = await (await asAdmin("GET", `/v1/admin/kb/articles/${encodeURIComponent(`en:chessboards-${tag}`)}`)).json();
    expect(article).toMatchObject({ staged: false, status: "published" });
    await warmReplica(REGION);
    const reply = await ask(await conversationIn(REGION), "how do i oil my wooden chessboard");
    expect(cited(reply)).toBe(`en:chessboards-${tag}`);
    expect(reply.meta.release).toBeUndefined();
    const audit = await (await asAdmin("GET", "/v1/admin/audit?limit=500")).json<{ entries: Array<{ action: string; target: string; outcome: string }> }>();
    expect(audit.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: "kb.release.open", target: release.id, outcome: "ok" }), expect.objectContaining({ action: "kb.release.promote", target: release.id, outcome: "ok" })]));
  });

  it("rolls back by itself when the canary's answers look wrong, as system:guard: audited, signed webhook, writes back to pending", async () => {
    await fetch(`${receiver}/received`, { method: "DELETE" });
    const tag = unique();
    await asAdmin("POST", "/v1/admin/kb/articles", lantern(tag));
    const release = await openRelease({ percent: 50, guard: { minConversations: 4, maxMinutes: 600 } });
    await warmCandidate(REGION, release.id);
    // Every canary answer marked wrong against none of stable's: the test crosses after about ten a side.
    const arms = await bothArms(12);
    // Canary customers mark the answer not helpful; stable ones find theirs fine.
    for (const { conv, reply } of arms.canary) {
      const res = await as(conv.token, "POST", `/v1/conversations/${conv.id}/messages/${reply.seq}/feedback`, { helpful: false });
      expect(res.status).toBe(200);
    }
    const stub = env.RELEASES.get(env.RELEASES.idFromName("releases"));
    let state = "canary";
    for (let i = 0; i < 50 && state === "canary"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await runDurableObjectAlarm(stub);
      state = (await (await asAdmin("GET", `/v1/admin/kb/releases/${release.id}`)).json<ReleaseBody>()).state;
    }
    const closed = await (await asAdmin("GET", `/v1/admin/kb/releases/${release.id}`)).json<ReleaseBody>();
    expect(closed).toMatchObject({ state: "rolled_back", closedBy: "system:guard", reason: expect.stringContaining("wrong") });
    const { writes } = await (await asAdmin("GET", "/v1/admin/kb/releases/pending")).json<{ writes: Array<{ id: string }> }>();
    expect(writes.map((w) => w.id)).toContain(`en:lanterns-${tag}`);
    const audit = await (await asAdmin("GET", "/v1/admin/audit?limit=500")).json<{ entries: Array<{ actor: string; action: string; target: string }> }>();
    expect(audit.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: "system:guard", action: "kb.release.rollback", target: release.id })]));
    await runDurableObjectAlarm(stub);
    const sent = (await hooks()).filter((h) => h.body.includes(release.id));
    expect(sent.map((h) => JSON.parse(h.body).id)).toEqual(expect.arrayContaining([`${release.id}:canary`, `${release.id}:rolled_back`]));
    for (const h of sent) expect(await verifySignature("test-webhook-secret-0123456789", h.body, h.headers["x-holdfast-signature"] ?? null)).toBe(true);
    // The canary's conversations answer from stable again, once their isolate's view of the
    // releases (cached for a few seconds) has the rollback.
    let after = await ask(arms.canary[0]!.conv, QUESTION);
    for (let i = 0; i < 20 && after.meta.release; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = await ask(arms.canary[0]!.conv, QUESTION);
    }
    expect(after.meta.release).toBeUndefined();
    expect(after.text).not.toContain(tag);
  }, SLOW);
});

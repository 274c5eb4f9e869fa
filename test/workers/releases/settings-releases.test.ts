// Answer-setting releases through the real Worker: settings are edited staged (admin only,
// audited), go out to a canary share like KB content, change how that share is answered
// (here: thresholds no question can reach), and return to pending on a rollback.
import { describe, expect, it } from "vitest";
import { warmReplica } from "../helpers.ts";
import { as, asAdmin, ask, conversationIn, operatorKey, type ReleaseBody } from "./helpers.ts";

const REGION = "afr";
/** Paraphrases of demo KB questions: the first the stable KB answers without certainty is used. */
const CANDIDATES = ["when do i get my money back after returning something", "refund taking ages how many days", "how long until my refund shows up", "how long does a refund take"];

describe("answer-setting releases", () => {
  it("are admin-only: an editor can neither read nor change them", async () => {
    const editor = await operatorKey("kb_editor");
    expect((await as(editor, "GET", "/v1/admin/settings/answers")).status).toBe(403);
    expect((await as(editor, "PUT", "/v1/admin/settings/answers", { generation: false })).status).toBe(403);
    expect((await asAdmin("PUT", "/v1/admin/settings/answers", { thresholds: { answerAt: 2 } })).status).toBe(400);
    expect((await asAdmin("PUT", "/v1/admin/settings/answers", { temperature: 1 })).status).toBe(400);
  });

  it("stage a change, answer a canary share with it, and return it to pending on a rollback", async () => {
    await warmReplica(REGION);
    let QUESTION = "";
    for (const q of CANDIDATES) {
      const r = await ask(await conversationIn(REGION), q);
      if (r.meta.decision === "answer" && (r.meta as { confidence?: number }).confidence! < 0.99) {
        QUESTION = q;
        break;
      }
    }
    expect(QUESTION).not.toBe("");

    const put = await asAdmin("PUT", "/v1/admin/settings/answers", { thresholds: { answerAt: 1 } });
    expect(await put.json()).toMatchObject({ staged: true, pending: { thresholds: { answerAt: 1 } }, stable: {} });
    // Staged: nobody answers with it yet.
    expect((await ask(await conversationIn(REGION), `${QUESTION}?`)).meta.decision).toBe("answer");

    const opened = await asAdmin("POST", "/v1/admin/settings/releases", { percent: 100, guard: { minConversations: 1000 } });
    expect(opened.status).toBe(201);
    const release = await opened.json<ReleaseBody>();
    expect(release).toMatchObject({ kind: "settings", state: "canary", percent: 100 });
    expect((await asAdmin("POST", "/v1/admin/kb/releases", { percent: 5 })).status).toBe(409);

    const canary = await ask(await conversationIn(REGION), `${QUESTION}??`);
    expect(canary.meta).toMatchObject({ release: { id: release.id, arm: "canary" } });
    expect(canary.meta.decision).not.toBe("answer");

    const rolled = await asAdmin("POST", `/v1/admin/settings/releases/${release.id}/rollback`);
    expect(await rolled.json()).toMatchObject({ state: "rolled_back" });
    const settings = await (await asAdmin("GET", "/v1/admin/settings/answers")).json();
    expect(settings).toMatchObject({ stable: {}, pending: { thresholds: { answerAt: 1 } }, release: null });
    const after = await ask(await conversationIn(REGION), `${QUESTION}!`);
    expect(after.meta.decision).toBe("answer");
    expect(after.meta.release).toBeUndefined();

    // Promoted, the change answers everyone.
    const again = await (await asAdmin("POST", "/v1/admin/settings/releases", { percent: 10, changes: { generation: false } })).json<ReleaseBody>();
    const promoted = await asAdmin("POST", `/v1/admin/settings/releases/${again.id}/promote`);
    expect(await promoted.json()).toMatchObject({ state: "promoted" });
    expect(await (await asAdmin("GET", "/v1/admin/settings/answers")).json()).toMatchObject({ stable: { generation: false }, pending: { thresholds: { answerAt: 1 } } });
  }, 60_000);
});

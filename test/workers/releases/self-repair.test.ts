// Self-repair rolls back the open release: a region's replies turn degraded while a KB release
// is open, the degraded-share alert names the release among its likely causes, and the
// remediation (src/platform/releases.ts, the port onto ReleaseDO) rolls it back as
// `system:remediation` — the release closed, its writes pending again, audited both as the
// release's change of state and as the remediation.
import { afterEach, describe, expect, it } from "vitest";
import type { Alert } from "../../../src/ops/alerts.ts";
import type { KpiSummary } from "../../../src/ops/kpi.ts";
import { releases } from "../../../src/platform/releases.ts";
import { env } from "cloudflare:workers";
import { breakerCoolDown, cid, send, setFaults, unique } from "../helpers.ts";
import { auditEntries, conversationIn, eventually, opsJson, runOpsAlarm } from "../ops-helpers.ts";
import { asAdmin, type ReleaseBody } from "./helpers.ts";

const REGION = "me";
const QUESTIONS = ["How do I reset my password?", "How long does a refund take?", "Where is my parcel?", "Can I change my delivery address?"];

afterEach(async () => {
  await setFaults();
  const { releases: list } = await (await asAdmin("GET", "/v1/admin/kb/releases?limit=1")).json<{ releases: ReleaseBody[] }>();
  if (list[0]?.state === "canary") await asAdmin("POST", `/v1/admin/kb/releases/${list[0].id}/rollback`);
  await asAdmin("DELETE", "/v1/admin/kb/releases/pending");
});

/** Four replies in REGION with its replica down: all degraded. */
async function degradedReplies(): Promise<void> {
  await setFaults("replica-down");
  try {
    const conv = await conversationIn(REGION);
    for (const [i, text] of QUESTIONS.entries()) {
      const res = await send(conv, text, cid(`rs${i}-${unique()}`));
      expect((await res.json<{ reply: { meta: { mode: string } } }>()).reply.meta.mode).toBe("degraded");
    }
  } finally {
    await setFaults();
    await breakerCoolDown();
  }
  await eventually(() => opsJson<KpiSummary>(`/v1/ops/summary?region=${REGION}&window=1h`), (s) => s.overall.degraded.turns >= QUESTIONS.length);
}

describe("self-repair and releases", () => {
  it("reads the open release and rolls it back as system:remediation; a second rollback finds none", async () => {
    const tag = unique();
    const staged = await asAdmin("POST", "/v1/admin/kb/articles", { slug: `kites-${tag}`, locale: "en", title: "How do I fold a kite?", answer: `Fold along the spars (${tag}).`, questions: ["How do I fold my kite?"], status: "published" });
    expect(await staged.json()).toMatchObject({ staged: true });
    const release = await (await asAdmin("POST", "/v1/admin/kb/releases", { percent: 1, guard: { autoPromote: false, maxMinutes: 600 } })).json<ReleaseBody>();
    const port = releases(env);
    const open = await port.open(REGION);
    expect(open).toEqual({ id: release.id, openedAt: expect.any(Number) });
    expect(await port.rollback(release.id)).toBe(true);
    expect(await port.rollback(release.id)).toBe(false);
    expect(await port.open(REGION)).toBeNull();
    const closed = await (await asAdmin("GET", `/v1/admin/kb/releases/${release.id}`)).json<ReleaseBody>();
    expect(closed).toMatchObject({ state: "rolled_back", closedBy: "system:remediation" });
    const { writes } = await (await asAdmin("GET", "/v1/admin/kb/releases/pending")).json<{ writes: Array<{ id: string }> }>();
    expect(writes.map((w) => w.id)).toContain(`en:kites-${tag}`);
    const audited = await auditEntries((e) => e.target === release.id);
    expect(audited.map((e) => [e.action, e.actor])).toContainEqual(["kb.release.rollback", "system:remediation"]);
  });

  it("rolls back the release open when a region's degraded-share alert fires", async () => {
    await asAdmin("POST", "/v1/admin/kb/articles", { slug: `kites-${unique()}`, locale: "en", title: "How do I fold a kite?", answer: "Fold along the spars.", questions: ["How do I fold my kite?"], status: "published" });
    const release = await (await asAdmin("POST", "/v1/admin/kb/releases", { percent: 1, guard: { autoPromote: false, maxMinutes: 600 } })).json<ReleaseBody>();
    expect(release.state).toBe("canary");
    await degradedReplies();
    await runOpsAlarm(REGION);
    const { open } = await opsJson<{ open: Alert[] }>(`/v1/ops/alerts?region=${REGION}`);
    const alert = open.find((a) => a.ruleId === "degraded_share");
    expect(alert!.likelyCause!.signals).toContainEqual(expect.objectContaining({ kind: "release", id: release.id }));
    expect(alert!.remediation).toContainEqual(expect.objectContaining({ action: "release_rollback", target: release.id, result: "done" }));
    const closed = await (await asAdmin("GET", `/v1/admin/kb/releases/${release.id}`)).json<ReleaseBody>();
    expect(closed).toMatchObject({ state: "rolled_back", closedBy: "system:remediation" });
    const audited = await auditEntries((e) => e.target === release.id);
    expect(audited.map((e) => [e.action, e.actor])).toEqual(expect.arrayContaining([["kb.release.rollback", "system:remediation"], ["ops.remediation.release_rollback", "system:remediation"]]));
  });
});

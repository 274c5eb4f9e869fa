// Ops end to end in workerd: turns emit events to their region's RegionOpsDO, which the ops
// API reads (summary, series), /metrics exposes what was saved (read back with a real
// parser of the text format), roles and input are checked, and events carry no customer text.
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationDO } from "../../src/index.ts";
import type { KpiSummary } from "../../src/ops/kpi.ts";
import type { Series } from "../../src/ops/metrics.ts";
import { conversationAt } from "../../src/platform/conversations.ts";
import { signCustomer } from "../../src/privacy/identity.ts";
import { ADMIN_KEY, call, cid, send, warmReplica, type Created } from "./helpers.ts";
import { handoff, turn } from "../support/ops-events.ts";
import { conversationIn, eventually, operatorKey, opsGet, opsJson, regionOpsStub, runOpsAlarm } from "./ops-helpers.ts";

type Summary = KpiSummary & { regions: string[] };
/** CUSTOMER_SIGNING_SECRET of the test configuration (vitest.config.ts). */
const SIGNING_SECRET = "test-customer-signing-secret-0123";

const summaryOf = (region: string) => opsJson<Summary>(`/v1/ops/summary?region=${region}&window=1h`);

async function ask(conv: Created, text: string, n: string) {
  const res = await send(conv, text, cid(n));
  expect(res.status).toBe(200);
  return res.json<{ reply: { meta: { decision: string; mode: string } } }>();
}

/** Every value stored in a RegionOpsDO, as one string. */
function storedText(region: string): Promise<string> {
  return runInDurableObject(regionOpsStub(region), (_instance, state) => {
    const tables = ["ops_state", "rollup_buckets", "gaps"];
    return tables.map((t) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM ${t}`).toArray())).join("\n");
  });
}

/** The sum of a family's samples whose labels include `labels` (every version's, unless one is named); undefined when none. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  const family = parsePrometheusTextFormat(body).find((f) => f.name === name);
  const matching = family?.metrics.filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)) ?? [];
  return matching.length ? matching.reduce((n, m) => n + Number(m.value), 0) : undefined;
}

beforeAll(async () => {
  await warmReplica("oc");
});

describe("turn events in the region's RegionOpsDO", () => {
  let conv: Created;
  let before: number;

  it("counts each turn by decision, language and mode in the region's summary, within a moment", async () => {
    before = (await summaryOf("oc")).overall.turns;
    conv = await conversationIn("oc", undefined, { customer: { id: "cust-oc-1" } });
    await ask(conv, "How do I reset my password?", "oc1");
    await ask(conv, "How long does a refund take?", "oc2");
    await ask(conv, "我的包裹到哪了？", "oc3");
    const s = await eventually(() => summaryOf("oc"), (s) => s.overall.turns >= before + 3);
    expect(s.overall.turns).toBe(before + 3);
    expect(s.region).toBe("oc");
    expect(s.byLanguage.en?.turns).toBeGreaterThanOrEqual(2);
    expect(s.byLanguage.zh?.turns).toBeGreaterThanOrEqual(1);
    expect(s.byMode.normal?.turns).toBeGreaterThanOrEqual(3);
    expect(s.overall.turnLatencySeconds.p50).toBeGreaterThan(0);
    expect(s.overall.degraded.share).toBe(0);
  });

  it("files the turns under the Worker version that answered them, in the summary and on /metrics", async () => {
    const version = env.CF_VERSION_METADATA.id;
    expect(version).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const s = await summaryOf("oc");
    expect(s.byVersion[version]?.turns).toBeGreaterThanOrEqual(3);
    const only = await opsJson<Summary>(`/v1/ops/summary?region=oc&window=1h&version=${version}`);
    expect(only.overall.turns).toBe(s.byVersion[version]!.turns);
    await runOpsAlarm("oc");
    const body = await (await opsGet("/metrics")).text();
    expect(sample(body, "holdfast_turns_total", { region: "oc", version })).toBeGreaterThanOrEqual(3);
    expect((await opsGet("/v1/ops/summary?region=oc&version=v2")).status).toBe(400);
  });

  it("keeps no customer text or raw id in the RegionOpsDO, and hashes the conversation and the customer", async () => {
    await runOpsAlarm("oc");
    const stored = await storedText("oc");
    expect(stored).not.toContain("reset my password");
    expect(stored).not.toContain("包裹");
    expect(stored).not.toContain(conv.id);
    expect(stored).not.toContain(conv.id.slice(0, 16));
    expect(stored).not.toContain("cust-oc-1");
    const address = conversationAt(env.CONVERSATION, conv.id, false)!;
    const row = await runInDurableObject(env.CONVERSATION.get(address.objectId), (_: ConversationDO, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM ops_outcome").one().state);
    expect(JSON.parse(row)).toMatchObject({ language: "zh", outcome: { turns: 3, botAnswered: true, ended: false } });
  });

  it("counts the conversation's outcome when it closes: answered and not asked again, an assumed AI resolution", async () => {
    const ended = (await summaryOf("oc")).overall.aiResolution.assumed;
    const res = await call(`/v1/conversations/${conv.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${conv.token}` } });
    expect(res.status).toBe(200);
    const s = await eventually(() => summaryOf("oc"), (s) => s.overall.aiResolution.assumed > ended);
    expect(s.overall.aiResolution.assumed).toBe(ended + 1);
    expect(s.overall.containment).toBe(1);
  });

  it("draws series of several metrics at once, one point a minute", async () => {
    const { series } = await opsJson<{ series: Series[] }>("/v1/ops/series?metric=turns,turn_latency_p99,degraded_share&region=oc&window=1h");
    expect(series.map((s) => s.metric)).toEqual(["turns", "turn_latency_p99", "degraded_share"]);
    for (const s of series) expect(s.points).toHaveLength(60);
    expect(series[0]!.points.reduce((n, p) => n + (p.value ?? 0), 0)).toBeGreaterThanOrEqual(3);
  });

  it("merges every region when none is named", async () => {
    const all = await opsJson<Summary>("/v1/ops/summary?window=24h");
    expect(all.regions).toHaveLength(9);
    expect(all.overall.turns).toBeGreaterThanOrEqual((await summaryOf("oc")).overall.turns);
  });
});

describe("the API reference", () => {
  it("documents the ops routes, the gap report and its drafts, with their KPI and alert shapes", async () => {
    const spec = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>();
    for (const path of ["/metrics", "/v1/ops/summary", "/v1/ops/series", "/v1/ops/alerts", "/v1/ops/access", "/v1/admin/kb/gaps", "/v1/admin/kb/gaps/{id}/draft"]) expect(spec.paths[path], path).toBeDefined();
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(["Kpis", "OpsSummary", "OpsSeries", "OpsAlerts", "KbGap"]));
    expect(spec.paths["/v1/dev/ops-events"]).toBeUndefined();
  });
});

describe("/metrics", () => {
  it("exposes saved counters in the Prometheus text format, which survive an eviction and never go backwards", async () => {
    const conv = await conversationIn("oc");
    await ask(conv, "How do I reset my password?", "m1");
    await eventually(() => summaryOf("oc"), (s) => s.overall.turns > 0);
    await new Promise((r) => setTimeout(r, 400));
    await runOpsAlarm("oc");
    const res = await opsGet("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await res.text();
    const answered = sample(body, "holdfast_turns_total", { region: "oc", mode: "normal", decision: "answer" })!;
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(sample(body, "holdfast_handoff_queue_depth", { region: "oc" })).toBe(0);
    expect(parsePrometheusTextFormat(body).find((f) => f.name === "holdfast_turn_duration_seconds")?.type).toBe("HISTOGRAM");

    await evictDurableObject(regionOpsStub("oc"));
    const after = await (await opsGet("/metrics")).text();
    expect(sample(after, "holdfast_turns_total", { region: "oc", mode: "normal", decision: "answer" })).toBeGreaterThanOrEqual(answered);
  });
});

describe("what the RegionOpsDO counted", () => {
  it("shows at /metrics at once, keeps across an eviction before any save, and counts a batch sent again once", async () => {
    const stub = regionOpsStub("sam");
    const batch = { events: [turn(Date.now(), { region: "sam", id: crypto.randomUUID() }), handoff(Date.now(), { region: "sam", id: crypto.randomUUID() })], gaps: [], breakers: null };
    const turnsIn = async () => sample(await (await opsGet("/metrics")).text(), "holdfast_turns_total", { region: "sam", mode: "normal", decision: "answer" }) ?? 0;
    const [before, handoffsBefore] = [await turnsIn(), (await summaryOf("sam")).overall.handoffs.total];
    await stub.ingest("sam", batch);
    expect(await turnsIn()).toBe(before + 1);
    // Evicted before its minute's save: the logged batch is counted again on the next read.
    await evictDurableObject(stub);
    expect(await turnsIn()).toBe(before + 1);
    // The sender did not hear back and sends the batch again.
    await regionOpsStub("sam").ingest("sam", batch);
    expect(await turnsIn()).toBe(before + 1);
    expect((await summaryOf("sam")).overall.handoffs.total).toBe(handoffsBefore + 1);
  });
});

describe("who may read ops data, and what input is refused", () => {
  let viewer: string;
  let editor: string;
  beforeAll(async () => {
    [viewer, editor] = await Promise.all([operatorKey("ops_viewer"), operatorKey("kb_editor")]);
  });

  it.each([
    ["/metrics", "viewer", 200],
    ["/metrics", "editor", 403],
    ["/metrics", "none", 401],
    ["/v1/ops/summary", "viewer", 200],
    ["/v1/ops/summary", "editor", 403],
    ["/v1/ops/series?metric=turns", "viewer", 200],
    ["/v1/ops/alerts", "viewer", 200],
    ["/v1/ops/alerts", "none", 401],
    ["/v1/admin/kb/gaps", "editor", 200],
    ["/v1/admin/kb/gaps", "viewer", 403],
  ])("GET %s as %s: %i", async (path, who, status) => {
    const res = who === "none" ? await call(path) : await opsGet(path, who === "viewer" ? viewer : editor);
    expect(res.status).toBe(status);
  });

  it.each([
    ["/v1/ops/summary?region=mars", "region"],
    ["/v1/ops/summary?window=2h", "window"],
    ["/v1/ops/summary?language=English", "language"],
    ["/v1/ops/series?metric=turns,bogus", "metric"],
    ["/v1/ops/series", "metric"],
    ["/v1/ops/series?metric=turns&step=5", "step"],
    ["/v1/admin/kb/gaps?window=1y", "window"],
  ])("refuses %s with a 400 naming %s", async (path, field) => {
    const res = await opsGet(path);
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; details: Array<{ path: string }> } }>();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d) => d.path)).toContain(field);
  });

  it("refuses a malformed gap id with 400 and an unknown one with 404", async () => {
    const post = (id: string) => call(`/v1/admin/kb/gaps/${id}/draft`, { method: "POST", headers: { Authorization: `Bearer ${editor}` } });
    expect((await post("not-a-gap")).status).toBe(400);
    const missing = await post("oc.gap_en_0123456789abcdef");
    expect(missing.status).toBe(404);
    expect((await missing.json<{ error: { code: string } }>()).error.code).toBe("gap_not_found");
  });
});

type Gap = { id: string; count: number; examples: string[]; draftable: string[]; members: string[]; draft: string | null; reasons: Record<string, number> };

describe("the KB gap report", () => {
  let editor: string;
  const asEditor = { Authorization: "" };
  beforeAll(async () => {
    await warmReplica("me");
    await warmReplica("weur");
    editor = await operatorKey("kb_editor");
    asEditor.Authorization = `Bearer ${editor}`;
  });
  const gaps = (query = "locale=en") => opsJson<{ gaps: Gap[] }>(`/v1/admin/kb/gaps?${query}`, editor).then((r) => r.gaps);
  // Made-up words per run: no article, cached answer or earlier test can answer them.
  const madeUp = () => Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => String.fromCharCode(97 + (b % 26))).join("");
  const word = madeUp();
  const harpsichord = (g: Gap) => g.examples.some((e) => e.includes(word));

  it("clusters unanswered questions, redacted, and a draft made from the gap carries them; publishing it closes the gap", async () => {
    const conv = await conversationIn("me");
    // Made-up words only (and personal data): nothing in the KB matches, so neither is answered.
    const words = `${word} ${madeUp()} ${madeUp()}`;
    // (No digits: a phone number's digits can match an article that lists one.)
    const asked = [`${words}? zq@xq.io`, `${words}, write to qz@zx.io`];
    let unanswered = 0;
    const metas: unknown[] = [];
    for (const [i, q] of asked.entries()) {
      const { meta } = (await ask(conv, q, `gap${i}`)).reply;
      metas.push(meta);
      if (meta.decision !== "answer") unanswered++;
    }
    expect(unanswered, JSON.stringify(metas)).toBe(2);
    const listed = await eventually(gaps, (list) => list.filter(harpsichord).reduce((n, g) => n + g.count, 0) >= unanswered, 3_000);
    expect(listed.filter(harpsichord).reduce((n, g) => n + g.count, 0)).toBe(unanswered);
    const gap = listed.find(harpsichord)!;
    expect(gap.id).toMatch(/^me\.gap_en_[0-9a-f]{16}/);
    expect((gap.reasons.no_answer ?? 0) + (gap.reasons.low_confidence ?? 0)).toBe(gap.count);
    const text = gap.examples.join("\n");
    expect(text).toContain("[email]");
    expect(text).not.toContain("zq@");
    expect(text).not.toContain("qz@");

    const made = await call(`/v1/admin/kb/gaps/${gap.id}/draft`, { method: "POST", headers: asEditor });
    expect(made.status).toBe(201);
    const { article } = await made.json<{ article: { id: string; status: string; questions: string[]; tags: string[]; locale: string } }>();
    expect(article).toMatchObject({ status: "draft", locale: "en", questions: gap.examples });
    expect(article.tags).toEqual(["kb-gap", ...gap.members.map((m) => `gap:${m}`)]);
    expect((await gaps()).find(harpsichord)?.draft).toBe(article.id);
    const again = await call(`/v1/admin/kb/gaps/${gap.id}/draft`, { method: "POST", headers: asEditor });
    expect(again.status).toBe(409);

    const published = await call(`/v1/admin/kb/articles/${article.id}/publish`, { method: "POST", headers: asEditor });
    expect(published.status).toBe(200);
    expect((await gaps()).some(harpsichord)).toBe(false);
    await call(`/v1/admin/kb/articles/${article.id}`, { method: "DELETE", headers: asEditor });
  });

  it("forgets an erased customer's examples in the region's RegionOpsDO (storage included), and keeps another customer's", async () => {
    const topic = `${madeUp()} ${madeUp()}`;
    const erasedId = `cust-${madeUp()}`;
    const verified = await conversationIn("me", undefined, { customer: { id: erasedId }, customerSignature: await signCustomer(SIGNING_SECRET, erasedId) });
    const other = await conversationIn("me");
    expect((await ask(verified, `${topic} for Zebulon Quarrington at 12 Fennimore Street?`, "er1")).reply.meta.decision).not.toBe("answer");
    expect((await ask(other, `${topic} please?`, "er2")).reply.meta.decision).not.toBe("answer");
    const ofTopic = (list: Gap[]) => list.filter((g) => g.examples.some((e) => e.includes(topic)));
    await eventually(gaps, (list) => ofTopic(list).reduce((n, g) => n + g.examples.length, 0) >= 2, 3_000);
    expect(await storedText("me")).toContain("Quarrington");

    const erased = await call(`/v1/admin/subjects/${erasedId}`, { method: "DELETE", headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(erased.status).toBe(200);
    expect(ofTopic(await gaps()).flatMap((g) => g.examples)).toEqual([`${topic} please?`]);
    expect(await storedText("me")).not.toContain("Quarrington");
  });

  it("makes a draft from a gap asked in an EU conversation without a word of it: the editor types them", async () => {
    const word = madeUp();
    const eu = await conversationIn("weur", "DE");
    expect((await ask(eu, `${word} ${madeUp()} for Zebulon Quarrington?`, "eud1")).reply.meta.decision).not.toBe("answer");
    const listed = await eventually(gaps, (list) => list.some((g) => g.examples.some((e) => e.includes(word))), 3_000);
    const gap = listed.find((g) => g.examples.some((e) => e.includes(word)))!;
    const made = await call(`/v1/admin/kb/gaps/${gap.id}/draft`, { method: "POST", headers: asEditor });
    expect(made.status).toBe(201);
    const { article } = await made.json<{ article: { id: string; title: string; questions: string[]; tags: string[] } }>();
    expect(article.questions).toEqual([]);
    expect(JSON.stringify(article)).not.toMatch(new RegExp(`${word}|Quarrington`));
    expect(article.tags).toContain(`gap:${gap.id}`);
    expect(gap.draftable).toEqual([]);
    await call(`/v1/admin/kb/articles/${article.id}`, { method: "DELETE", headers: asEditor });
  });

  it("keeps an EU conversation's questions only in an EU region's RegionOpsDO", async () => {
    const other = madeUp();
    const question = `Can you engrave my ${other} microscope slides?`;
    const inMe = await conversationIn("me", "DE");
    const inWeur = await conversationIn("weur", "DE");
    const turns = async (region: string) => (await summaryOf(region)).overall.turns;
    const [me0, weur0] = [await turns("me"), await turns("weur")];
    expect((await ask(inMe, question, "eu1")).reply.meta.decision).not.toBe("answer");
    expect((await ask(inWeur, question, "eu2")).reply.meta.decision).not.toBe("answer");
    await eventually(async () => [await turns("me"), await turns("weur")], ([me, weur]) => me! > me0 && weur! > weur0);
    const questionsIn = async (region: string) => JSON.stringify(await regionOpsStub(region).gaps(region as "me", {}));
    expect(await questionsIn("me")).not.toContain(other);
    expect(await questionsIn("weur")).toContain(other);
  });
});

describe("the events switch (development)", () => {
  it("with events off, turns are answered and nothing is counted", async () => {
    const toggle = (on: boolean | null) => call("/v1/dev/ops-events", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ on }) });
    const before = (await summaryOf("oc")).overall.turns;
    expect(await (await toggle(false)).json()).toEqual({ on: false });
    try {
      const conv = await conversationIn("oc");
      expect((await ask(conv, "How do I reset my password?", "off1")).reply.meta.decision).toBe("answer");
      await new Promise((r) => setTimeout(r, 600));
      expect((await summaryOf("oc")).overall.turns).toBe(before);
    } finally {
      expect(await (await toggle(null)).json()).toEqual({ on: true });
    }
  });
});

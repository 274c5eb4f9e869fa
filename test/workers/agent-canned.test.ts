// A team's own canned responses: an admin reads, replaces and resets the list through the
// admin API; the team's open consoles get the new list at once and insert from it; input is
// checked (unique ids, known variables), stale edits are refused, and changes are audited.
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, call, cid, transcript } from "./helpers.ts";
import { agent, desk as deskStub, frames, handedOver, last, openConsole, operator, team } from "./agent-helpers.ts";

interface Library {
  team: string;
  items: Array<{ id: string; locale: string; title: string; text: string }>;
  revision: number;
  custom: boolean;
}

function canned(teamName: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${init.key ?? ADMIN_KEY}` };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return call(`/v1/admin/teams/${encodeURIComponent(teamName)}/canned`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

const thanks = { id: "thanks", locale: "en", title: "Thanks", text: "Thanks {{customer.name|for waiting}}, this is {{agent.name}} again." };
const wait = { id: "wait-zh", locale: "zh-CN", title: "请稍候", text: "请稍候，{{agent.name}}正在为您处理。" };

/** The audit entries on a target: action and outcome, in order. */
async function auditOf(target: string): Promise<string[][]> {
  const entries: Array<{ action: string; target: string; outcome: string }> = [];
  for (let after: number | null = 0; after !== null; ) {
    const page: { entries: typeof entries; nextAfter: number | null } = await (await call(`/v1/admin/audit?after=${after}&limit=500`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).json<{ entries: typeof entries; nextAfter: number | null }>();
    entries.push(...page.entries);
    after = page.nextAfter;
  }
  return entries.filter((e) => e.target === target).map((e) => [e.action, e.outcome]);
}

describe("a team's canned responses", () => {
  it("start as the built-in list, are replaced for the team's open consoles at once, and are inserted from the new list", async () => {
    const t = team();
    const initial = await (await canned(t)).json<Library>();
    expect(initial).toMatchObject({ team: t, revision: 0, custom: false });
    expect(initial.items.map((i) => i.id)).toContain("greeting");

    const ana = await agent("Ana", t);
    const desk = await openConsole(ana, { status: "online", capacity: 1 });
    const put = await canned(t, { method: "PUT", body: { items: [thanks, wait], revision: 0 } });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ team: t, items: [thanks, wait], revision: 1, custom: true });
    await desk.until((d) => frames(d, "canned").length === 2);
    expect(last(desk, "canned")).toEqual({ type: "canned", items: [thanks, wait] });

    const conv = await handedOver(t, { name: "Lee" });
    await desk.until((d) => frames(d, "assigned").length === 1);
    desk.send({ type: "canned", conversationId: conv.id, cannedId: "thanks", clientMessageId: cid("k1") });
    await desk.until((d) => frames(d, "ack").length === 1);
    expect((await transcript(conv)).at(-1)).toMatchObject({ role: "agent", text: "Thanks Lee, this is Ana again." });
    // The built-in ones are gone for this team; other teams keep them.
    desk.send({ type: "canned", conversationId: conv.id, cannedId: "greeting", clientMessageId: cid("k2") });
    await desk.until((d) => frames(d, "error").length === 1);
    expect(last(desk, "error")).toMatchObject({ code: "not_found", clientMessageId: cid("k2") });
    expect((await (await canned(team())).json<Library>()).custom).toBe(false);

    // A new console (and the REST queue) sees the team's list.
    const second = await openConsole(ana);
    await second.until((d) => frames(d, "canned").length === 1);
    expect(last(second, "canned")).toEqual({ type: "canned", items: [thanks, wait] });
  });

  it("keeps the list across the desk's restart, refuses an edit from a stale revision, and resets to the built-in list", async () => {
    const t = team();
    expect((await canned(t, { method: "PUT", body: { items: [thanks] } })).status).toBe(200);
    await evictDurableObject(deskStub(t));
    const stale = await canned(t, { method: "PUT", body: { items: [wait], revision: 0 } });
    expect(stale.status).toBe(409);
    expect((await stale.json<{ error: { code: string } }>()).error.code).toBe("canned_revision_conflict");
    expect(await (await canned(t)).json()).toEqual({ team: t, items: [thanks], revision: 1, custom: true });

    const reset = await (await canned(t, { method: "DELETE" })).json<Library>();
    expect(reset).toMatchObject({ team: t, revision: 2, custom: false });
    expect(reset.items.map((i) => i.id)).toContain("greeting");
    // An editor still holding revision 1 is told, not obeyed.
    expect((await canned(t, { method: "PUT", body: { items: [wait], revision: 1 } })).status).toBe(409);
    expect(await auditOf(t)).toEqual([
      ["desk.canned.replace", "ok"],
      ["desk.canned.replace", "denied"],
      ["desk.canned.reset", "ok"],
      ["desk.canned.replace", "denied"],
    ]);
  });

  it.each([
    ["a duplicate id", { items: [thanks, { ...wait, id: "thanks" }] }, "items.1.id"],
    ["an unknown variable", { items: [{ ...thanks, text: "Hi {{customer.email}}" }] }, "items.0.text"],
    ["an empty title", { items: [{ ...thanks, title: " " }] }, "items.0.title"],
    ["a locale the console does not list", { items: [{ ...thanks, locale: "fr" }] }, "items.0.locale"],
    ["a bad id", { items: [{ ...thanks, id: "has space" }] }, "items.0.id"],
    ["a revision that is not a count", { items: [], revision: -1 }, "revision"],
  ])("refuses %s with 400 and the field's path", async (_name, body, path) => {
    const res = await canned(team(), { method: "PUT", body });
    expect(res.status).toBe(400);
    const { error } = await res.json<{ error: { code: string; details: Array<{ path: string; issue: string }> } }>();
    expect(error.code).toBe("validation_failed");
    expect(error.details.map((d) => d.path)).toContain(path);
    // The refusal names the rule, never the value.
    expect(JSON.stringify(error)).not.toMatch(/Hi \{\{|customer\.email|has space/);
  });

  it("refuses an unknown field, a bad team name and roles other than admin", async () => {
    const t = team();
    expect((await (await canned(t, { method: "PUT", body: { items: [], color: "red" } })).json<{ error: { code: string } }>()).error.code).toBe("unknown_field");
    expect((await canned("bad team!")).status).toBe(400);
    const editor = await operator("Eddie", "kb_editor", null);
    const agentKey = await operator("Ana", "agent", t);
    for (const key of [editor.key, agentKey.key]) {
      expect((await canned(t, { key })).status).toBe(403);
      expect((await canned(t, { method: "PUT", key, body: { items: [] } })).status).toBe(403);
    }
    expect((await call(`/v1/admin/teams/${t}/canned`)).status).toBe(401);
    expect((await (await canned(t)).json<Library>()).custom).toBe(false);
  });

  it("is in the OpenAPI document", async () => {
    const spec = await (await call("/openapi.json")).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(spec.paths["/v1/admin/teams/{team}/canned"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
  });
});

// Operators, their keys and roles, and the audit log, through the Worker against the KB
// primary: what an admin, an editor and a viewer can and cannot do, and what the log says.
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, call, createArticle, unique } from "./helpers.ts";

type Role = "admin" | "kb_editor" | "agent" | "ops_viewer";
interface Issued {
  id: string;
  name: string;
  role: Role;
  team: string | null;
  key: string;
}
interface Entry {
  seq: number;
  actor: string;
  role: string;
  action: string;
  target: string;
  outcome: string;
  prevHash: string;
  hash: string;
}

/** A call with a bearer key (the break-glass admin key unless given). */
function as(key: string | null, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = key === null ? {} : { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function newOperator(role: Role, team?: string): Promise<Issued> {
  const res = await as(ADMIN_KEY, "POST", "/v1/admin/operators", { name: `Test ${role} ${unique()}`, role, ...(team && { team }) });
  if (res.status !== 201) throw new Error(`create operator: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Every audit entry after `after`, a page at a time. */
async function auditAfter(after: number, limit = 500): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let cursor: number | null = after; cursor !== null; ) {
    const res = await as(ADMIN_KEY, "GET", `/v1/admin/audit?after=${cursor}&limit=${limit}`);
    expect(res.status).toBe(200);
    const page = await res.json<{ entries: Entry[]; nextAfter: number | null }>();
    out.push(...page.entries);
    cursor = page.nextAfter;
  }
  return out;
}

const head = async () => (await auditAfter(0)).at(-1)?.seq ?? 0;
const article = (tag: string) => ({ slug: `ops-${tag}`, locale: "en", title: "Lantern wicks", answer: "Trim them.", questions: ["How do I trim a wick?"] });

describe("operators API", () => {
  it("creates an operator whose key is shown once and works for its role; the list never shows a key", async () => {
    const editor = await newOperator("kb_editor", "docs-team_1");
    expect(editor).toMatchObject({ role: "kb_editor", team: "docs-team_1" });
    expect(editor.id).toMatch(/^op_[0-9a-f]{16}$/);
    expect(editor.key).toMatch(/^hf_[A-Za-z0-9_-]{43}$/);
    const listed = await (await as(ADMIN_KEY, "GET", "/v1/admin/operators")).json<{ operators: Array<Record<string, unknown>> }>();
    const mine = listed.operators.find((o) => o.id === editor.id);
    expect(mine).toMatchObject({ id: editor.id, role: "kb_editor", team: "docs-team_1", keyPrefix: editor.key.slice(0, 9), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(editor.key);
    expect((await as(editor.key, "GET", "/v1/admin/kb/articles?limit=1")).status).toBe(200);
  });

  it.each([
    ["a team with capitals and a space", { team: "Support Team" }, "validation_failed"],
    ["a team of 65 characters", { team: "a".repeat(65) }, "validation_failed"],
    ["an empty team", { team: "" }, "validation_failed"],
    ["an unknown role", { role: "root" }, "validation_failed"],
    ["a blank name", { name: "   " }, "validation_failed"],
    ["an unknown field", { key: "hf_choose-my-own" }, "unknown_field"],
  ])("refuses an operator with %s", async (_name, patch, code) => {
    const res = await as(ADMIN_KEY, "POST", "/v1/admin/operators", { name: "Grace", role: "agent", ...patch });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it("admits each route's roles only: 401 without a key, 403 forbidden with the wrong role", async () => {
    const [editor, viewer, agent] = await Promise.all([newOperator("kb_editor"), newOperator("ops_viewer"), newOperator("agent")]);
    const { id } = await createArticle(article(unique()));
    const articlePath = `/v1/admin/kb/articles/${encodeURIComponent(id)}`;
    const routes: Array<[method: string, path: string, body: unknown, admits: Role[]]> = [
      ["GET", "/v1/admin/kb/articles", undefined, ["admin", "kb_editor", "ops_viewer"]],
      ["GET", articlePath, undefined, ["admin", "kb_editor", "ops_viewer"]],
      ["GET", "/v1/admin/kb/status", undefined, ["admin", "kb_editor", "ops_viewer"]],
      ["PATCH", articlePath, { title: "Lantern wicks, trimmed" }, ["admin", "kb_editor"]],
      ["POST", `${articlePath}/publish`, undefined, ["admin", "kb_editor"]],
      ["POST", "/v1/admin/kb/articles", article(unique()), ["admin", "kb_editor"]],
      ["POST", "/v1/admin/kb/sync?region=weur", undefined, ["admin", "kb_editor"]],
      ["GET", "/v1/admin/operators", undefined, ["admin"]],
      ["POST", "/v1/admin/operators", { name: "Nobody", role: "agent" }, ["admin"]],
      ["POST", `/v1/admin/operators/${agent.id}/rotate`, undefined, ["admin"]],
      ["GET", "/v1/admin/audit", undefined, ["admin"]],
      ["GET", "/v1/admin/faults", undefined, ["admin"]],
    ];
    for (const [method, path, body, admits] of routes) {
      expect((await as(null, method, path, body)).status, `${method} ${path} without a key`).toBe(401);
      for (const op of [editor, viewer, agent]) {
        const res = await as(op.key, method, path, body);
        const label = `${method} ${path} as ${op.role}`;
        if (admits.includes(op.role)) expect(res.status, label).toBeLessThan(300);
        else {
          expect(res.status, label).toBe(403);
          expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
        }
      }
    }
  });

  it("rotates a key: the new one works, the old one stops at once", async () => {
    const viewer = await newOperator("ops_viewer");
    expect((await as(viewer.key, "GET", "/v1/admin/kb/status")).status).toBe(200);
    const rotated = await as(ADMIN_KEY, "POST", `/v1/admin/operators/${viewer.id}/rotate`);
    expect(rotated.status).toBe(200);
    const { key } = await rotated.json<{ key: string }>();
    expect(key).not.toBe(viewer.key);
    const old = await as(viewer.key, "GET", "/v1/admin/kb/status");
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: { code: "operator_key_invalid" } });
    expect((await as(key, "GET", "/v1/admin/kb/status")).status).toBe(200);
  });

  it("revokes an operator: its key, verified a moment ago and cached, stops working on this isolate at once", async () => {
    const editor = await newOperator("kb_editor");
    expect((await as(editor.key, "GET", "/v1/admin/kb/articles?limit=1")).status).toBe(200);
    expect((await as(ADMIN_KEY, "DELETE", `/v1/admin/operators/${editor.id}`)).status).toBe(200);
    const after = await as(editor.key, "GET", "/v1/admin/kb/articles?limit=1");
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: "operator_key_invalid" } });
    const listed = await (await as(ADMIN_KEY, "GET", "/v1/admin/operators")).json<{ operators: Array<{ id: string; revokedAt: string | null }> }>();
    expect(listed.operators.find((o) => o.id === editor.id)?.revokedAt).toEqual(expect.any(String));
    // Revoked for good: no second revocation, no rotation back to life.
    expect((await as(ADMIN_KEY, "DELETE", `/v1/admin/operators/${editor.id}`)).status).toBe(404);
    expect((await as(ADMIN_KEY, "POST", `/v1/admin/operators/${editor.id}/rotate`)).status).toBe(404);
  });

  it.each([
    ["rotate", "POST", "/v1/admin/operators/op_0000000000000000/rotate", 404, "operator_not_found"],
    ["revoke", "DELETE", "/v1/admin/operators/op_0000000000000000", 404, "operator_not_found"],
    ["rotate a malformed id", "POST", "/v1/admin/operators/admin/rotate", 400, "validation_failed"],
  ])("answers %s of an operator that does not exist with %i", async (_name, method, path, status, code) => {
    const res = await as(ADMIN_KEY, method, path);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });
});

describe("audit log", () => {
  it("records each action with actor, role, action, target and outcome, refusals included", async () => {
    const since = await head();
    const editor = await newOperator("kb_editor");
    const { id } = await createArticle(article(unique()));
    const path = `/v1/admin/kb/articles/${encodeURIComponent(id)}`;
    expect((await as(editor.key, "PATCH", path, { title: "Wicks" })).status).toBe(200);
    expect((await as(editor.key, "POST", "/v1/admin/operators", { name: "Sneaky", role: "admin" })).status).toBe(403);
    expect((await as(editor.key, "DELETE", `/v1/admin/kb/articles/${encodeURIComponent("en:no-such-article")}`)).status).toBe(404);
    expect((await as(editor.key, "GET", path)).status).toBe(200);
    expect((await as(null, "DELETE", path)).status).toBe(401);
    expect((await as(ADMIN_KEY, "DELETE", `/v1/admin/operators/${editor.id}`)).status).toBe(200);

    const entries = (await auditAfter(since)).map(({ actor, role, action, target, outcome }) => ({ actor, role, action, target, outcome }));
    expect(entries).toEqual([
      { actor: "break-glass", role: "admin", action: "operator.create", target: editor.id, outcome: "ok" },
      { actor: "break-glass", role: "admin", action: "kb.article.create", target: id, outcome: "ok" },
      { actor: editor.id, role: "kb_editor", action: "kb.article.update", target: id, outcome: "ok" },
      { actor: editor.id, role: "kb_editor", action: "operator.create", target: "-", outcome: "denied" },
      { actor: editor.id, role: "kb_editor", action: "kb.article.delete", target: "en:no-such-article", outcome: "denied" },
      // The read and the keyless request leave no entry.
      { actor: "break-glass", role: "admin", action: "operator.revoke", target: editor.id, outcome: "ok" },
    ]);
  });

  it("records a polled gap list once per operator within the window, and every refused read", async () => {
    const since = await head();
    const editor = await newOperator("kb_editor");
    const viewer = await newOperator("ops_viewer");
    for (let i = 0; i < 3; i++) expect((await as(editor.key, "GET", "/v1/admin/kb/gaps?window=24h")).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await as(viewer.key, "GET", "/v1/admin/kb/gaps")).status).toBe(403);
    const reads = (await auditAfter(since)).filter((e) => e.action === "kb.gaps.read").map((e) => [e.actor, e.outcome]);
    expect(reads).toEqual([
      [editor.id, "ok"],
      [viewer.id, "denied"],
      [viewer.id, "denied"],
    ]);
  });

  it("records fault switches and KB syncs by name", async () => {
    const since = await head();
    expect((await as(ADMIN_KEY, "PUT", "/v1/admin/faults", { faults: ["llm-slow", "latency=5"] })).status).toBe(200);
    expect((await as(ADMIN_KEY, "DELETE", "/v1/admin/faults")).status).toBe(200);
    expect((await as(ADMIN_KEY, "POST", "/v1/admin/kb/sync?region=apac")).status).toBe(200);
    expect((await auditAfter(since)).map((e) => [e.action, e.target, e.outcome])).toEqual([
      ["faults.set", "llm-slow,latency=5", "ok"],
      ["faults.clear", "-", "ok"],
      ["kb.sync", "apac", "ok"],
    ]);
  });

  it("pages in order with after and limit, each entry chained to the one before", async () => {
    for (let i = 0; i < 3; i++) await newOperator("agent");
    const all = await auditAfter(0);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    expect(await auditAfter(0, 1)).toEqual(all);
    const page = await (await as(ADMIN_KEY, "GET", `/v1/admin/audit?after=1&limit=2`)).json<{ entries: Entry[]; nextAfter: number | null }>();
    expect(page.entries.map((e) => e.seq)).toEqual([2, 3]);
    expect(page.nextAfter).toBe(3);
    const end = await (await as(ADMIN_KEY, "GET", `/v1/admin/audit?after=${all.at(-1)!.seq}`)).json<{ entries: Entry[]; nextAfter: number | null }>();
    expect(end).toEqual({ entries: [], nextAfter: null });
  });

  it.each(["limit=0", "limit=501", "limit=-1", "after=-1", "after=0x10", "limit=1e2", "after=1e309", "after=99999999999999999999", "limit=", "after=1.5"])(
    "refuses the page query %s with 400 validation_failed",
    async (query) => {
      const res = await as(ADMIN_KEY, "GET", `/v1/admin/audit?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
    },
  );

  it("accepts the edges of limit, 1 and 500", async () => {
    expect((await as(ADMIN_KEY, "GET", "/v1/admin/audit?limit=1")).status).toBe(200);
    expect((await as(ADMIN_KEY, "GET", "/v1/admin/audit?limit=500")).status).toBe(200);
  });
});

// The KB primary's backups in workerd: the cron's scheduled handler dumps the real primary
// (the libSQL dev endpoint) into R2 (Miniflare's), checksummed and stamped with its KB
// version and audit head, keeping BACKUP_KEEP; admins list backups and take one on demand;
// a region's replica copy can be read page by page while the primary is down.
import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { backupKeys, parseManifest, parseLine, type BackupManifest, type DumpLine } from "../../src/backup/dump-format.ts";
import { kbHead } from "../../src/kb/articles.ts";
import { auditHead } from "../../src/operators/repository.ts";
import { operator } from "./agent-helpers.ts";
import { ADMIN_KEY, breakerCoolDown, call, createArticle, setFaults, testPrimary, unique, warmReplica } from "./helpers.ts";

const bucket = env.BACKUP_BUCKET;

function as(key: string, method: string, path: string): Promise<Response> {
  return call(path, { method, headers: { Authorization: `Bearer ${key}` } });
}

async function hexDigest(bytes: ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function manifests(): Promise<string[]> {
  const listed = await bucket.list({ prefix: "kb/" });
  return listed.objects.map((o) => o.key).filter((k) => k.endsWith(".manifest.json"));
}

/** Runs the cron's handler (the Worker's `scheduled` export) until its work is done; rejects when it failed. */
async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "0 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function newest(): Promise<{ manifest: BackupManifest; dump: ArrayBuffer }> {
  const keys = (await manifests()).sort();
  const manifest = parseManifest(await (await bucket.get(keys.at(-1)!))!.text())!;
  const dump = await (await bucket.get(backupKeys(manifest.name).dump))!.arrayBuffer();
  return { manifest, dump };
}

describe("the scheduled backup of the KB primary", () => {
  it("writes the whole primary to R2 with a manifest: SHA-256, KB version, audit head, row counts", async () => {
    await createArticle({ slug: `backup-${unique()}`, locale: "en", title: "Backed up", answer: "Kept in R2." });
    const before = await manifests();
    await runCron();
    expect((await manifests()).length).toBe(before.length + 1);
    const { manifest, dump } = await newest();
    const primary = testPrimary();
    const head = await kbHead(primary);
    const audit = await auditHead(primary);
    expect(manifest).toMatchObject({ kbVersion: head.version, epoch: head.epoch, auditHead: audit ? { seq: audit.seq, hash: audit.hash } : null, bytes: dump.byteLength });
    expect(manifest.sha256).toBe(await hexDigest(dump));
    const lines = new TextDecoder().decode(dump).trim().split("\n").map(parseLine) as DumpLine[];
    expect(lines.every(Boolean)).toBe(true);
    expect(lines[0]).toMatchObject({ type: "header", kbVersion: head.version });
    expect(lines.at(-1)).toEqual({ type: "end", tables: manifest.tables });
    const articleRows = lines.flatMap((l) => (l.type === "rows" && l.table === "articles" ? l.rows : []));
    expect(articleRows.length).toBe(manifest.tables.articles);
    expect(manifest.tables.articles).toBeGreaterThan(100);
    expect(manifest.tables.audit_log).toBe(audit?.seq ?? 0);
  });

  it("keeps only the newest BACKUP_KEEP (30) backups", async () => {
    // Older backups, named as the job names them (their stamps sort first).
    for (let i = 0; i < 31; i++) {
      const name = `kb-20200101T0000${String(i).padStart(2, "0")}.000Z-v1`;
      await bucket.put(backupKeys(name).dump, "{}");
      await bucket.put(backupKeys(name).manifest, "{}");
    }
    await runCron();
    const kept = await manifests();
    expect(kept).toHaveLength(30);
    expect(kept.filter((k) => k.includes("20200101"))).toHaveLength(30 - kept.filter((k) => !k.includes("20200101")).length);
    const dumps = (await bucket.list({ prefix: "kb/" })).objects.filter((o) => o.key.endsWith(".ndjson"));
    expect(dumps).toHaveLength(30);
  });

  it("fails without writing a backup while the primary is down, and the job reports the failure", async () => {
    const before = await manifests();
    await setFaults("primary-down");
    try {
      // The backup reads the primary directly (no fault switch): take the endpoint down too.
      await fetch(`${env.LIBSQL_URL}/_dev/availability`, { method: "POST", headers: { Authorization: `Bearer ${env.LIBSQL_AUTH_TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ up: false }) });
      await expect(runCron()).rejects.toThrow();
      expect(await manifests()).toEqual(before);
    } finally {
      await fetch(`${env.LIBSQL_URL}/_dev/availability`, { method: "POST", headers: { Authorization: `Bearer ${env.LIBSQL_AUTH_TOKEN}`, "Content-Type": "application/json" }, body: JSON.stringify({ up: true }) });
      await setFaults();
      await breakerCoolDown();
    }
  });
});

describe("GET and POST /v1/admin/backups", () => {
  it("takes a backup on demand (audited as kb.backup) and lists backups newest first, for admins only", async () => {
    const made = await as(ADMIN_KEY, "POST", "/v1/admin/backups");
    expect(made.status).toBe(201);
    const backup = (await made.json()) as { name: string; kbVersion: number; sha256: string };
    const listed = await as(ADMIN_KEY, "GET", "/v1/admin/backups?limit=5");
    expect(listed.status).toBe(200);
    const { backups } = (await listed.json()) as { backups: Array<{ name: string; sha256: string }> };
    expect(backups[0]).toMatchObject({ name: backup.name, sha256: backup.sha256 });
    expect(backups.map((b) => b.name)).toEqual([...backups.map((b) => b.name)].sort().reverse());
    const head = await auditHead(testPrimary());
    expect(head).toMatchObject({ action: "kb.backup", target: backup.name, outcome: "ok" });

    const editor = await operator(`Editor ${unique()}`, "kb_editor", null);
    expect((await as(editor.key, "GET", "/v1/admin/backups")).status).toBe(403);
    expect((await as(editor.key, "POST", "/v1/admin/backups")).status).toBe(403);
    expect(await auditHead(testPrimary())).toMatchObject({ action: "kb.backup", actor: editor.id, outcome: "denied" });
  });
});

describe("GET /v1/admin/kb/replicas/:region/articles", () => {
  it("pages through a replica's published copy, with its version and last sync, while the primary is down", async () => {
    const tag = unique();
    await createArticle({ slug: `copy-${tag}`, locale: "en", title: `Copied ${tag}`, answer: "In the replica.", questions: ["Is it copied?"], tags: ["dr"] });
    await createArticle({ slug: `draft-${tag}`, locale: "en", title: `Draft ${tag}`, answer: "Never replicated.", status: "draft" });
    await warmReplica("oc");
    const editor = await operator(`Editor ${unique()}`, "kb_editor", null);
    await setFaults("primary-down");
    try {
      const seen: Array<{ id: string; title: string; questions: string[]; tags: string[] }> = [];
      let replica: { region: string; kbVersion: number; lastSyncAt: string | null } | null = null;
      for (let after = ""; ; ) {
        const res = await as(ADMIN_KEY, "GET", `/v1/admin/kb/replicas/oc/articles?limit=50${after ? `&after=${encodeURIComponent(after)}` : ""}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as { replica: typeof replica; articles: typeof seen; nextAfter: string | null };
        replica ??= page.replica;
        seen.push(...page.articles);
        if (!page.nextAfter) break;
        after = page.nextAfter;
      }
      expect(replica).toMatchObject({ region: "oc" });
      expect(replica!.lastSyncAt).not.toBeNull();
      expect(seen.find((a) => a.id === `en:copy-${tag}`)).toMatchObject({ title: `Copied ${tag}`, questions: ["Is it copied?"], tags: ["dr"] });
      expect(seen.some((a) => a.id === `en:draft-${tag}`)).toBe(false);
      expect(new Set(seen.map((a) => a.id)).size).toBe(seen.length);
    } finally {
      await setFaults();
      await breakerCoolDown();
    }
    expect((await as(editor.key, "GET", "/v1/admin/kb/replicas/oc/articles")).status).toBe(403);
  });
});

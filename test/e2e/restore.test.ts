// Restores against the real local stack, with the command line an operator runs: a backup the
// Worker writes to R2 (wrangler dev's local R2) is fetched with wrangler's own client and
// verified into a file, and a primary is rebuilt from a region's replica through the admin
// API. Both write to --out: the stack's own primary is never touched.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { allArticles, kbHead } from "../../src/kb/articles.ts";
import { auditPage, verifyAudit } from "../../src/operators/repository.ts";
import { openKb } from "../../scripts/kb.ts";
import { ADMIN_KEY } from "./api.ts";

const baseUrl = inject("baseUrl");
const stateDir = inject("stateDir");
const dir = mkdtempSync(join(tmpdir(), "e2e-restore-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function restore(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [resolve("scripts/restore.ts"), ...args], { encoding: "utf8", env: { ...process.env, ADMIN_API_KEY: ADMIN_KEY } }, (err, stdout, stderr) =>
      done({ status: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

const admin = (path: string, method = "GET") => fetch(`${baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_KEY}` } });

describe("npm run restore against the running stack", () => {
  it("--from r2:<name>: fetches the Worker's backup from R2 with wrangler, verifies it, and writes a primary at its KB version and audit head", async () => {
    const made = await admin("/v1/admin/backups", "POST");
    expect(made.status).toBe(201);
    const backup = (await made.json()) as { name: string; kbVersion: number; auditSeq: number };
    const out = join(dir, "from-r2.db");
    const run = await restore(["--from", `r2:${backup.name}`, "--persist-to", join(stateDir, "wrangler"), "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Verified ${backup.name}`);
    const db = openKb(`file:${out}`);
    try {
      expect((await kbHead(db)).version).toBe(backup.kbVersion);
      // The chain as stamped, then the restore's own entry.
      expect(await auditPage(db, backup.auditSeq, 10)).toMatchObject([{ seq: backup.auditSeq + 1, action: "kb.restore", target: backup.name }]);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, count: backup.auditSeq + 1 });
    } finally {
      db.$client.close();
    }
  }, 120_000);

  it("--from-replica <region>: rebuilds the published articles from a replica, and lists what cannot come back", async () => {
    const region = ((await (await fetch(`${baseUrl}/readyz`)).json()) as { region: string }).region;
    const out = join(dir, "from-replica.db");
    const run = await restore(["--from-replica", region, "--url", baseUrl, "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("What cannot come back");
    expect(run.stdout).toContain("draft articles");
    const copy: string[] = [];
    for (let after = ""; ; ) {
      const page = (await (await admin(`/v1/admin/kb/replicas/${region}/articles?limit=500${after ? `&after=${encodeURIComponent(after)}` : ""}`)).json()) as { articles: Array<{ id: string }>; nextAfter: string | null };
      copy.push(...page.articles.map((a) => a.id));
      if (!page.nextAfter) break;
      after = page.nextAfter;
    }
    const db = openKb(`file:${out}`);
    try {
      const rebuilt = await allArticles(db);
      expect(rebuilt.map((a) => a.id).sort()).toEqual(copy.sort());
      expect(rebuilt.every((a) => a.status === "published")).toBe(true);
      expect((await kbHead(db)).epoch).toBeGreaterThan(0);
      expect(await auditPage(db, 0, 10)).toMatchObject([{ seq: 1, action: "kb.rebuild", target: region }]);
    } finally {
      db.$client.close();
    }
  }, 120_000);
});

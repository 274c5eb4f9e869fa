// `npm run audit -- access-report`: whose transcripts each operator read in a period, from
// the audit log in a real libSQL file (reads by agents and exports by admins; denied reads,
// other actions and other periods left out), as text and as JSON.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessReport } from "../../src/operators/access-report.ts";
import { appendAudit, createOperator } from "../../src/operators/repository.ts";
import { migrateKb, openKb } from "../../scripts/kb.ts";

let dir: string;
let url: string;
let ana: string;
const CONV = (n: number) => String(n).repeat(64).slice(0, 64);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "access-report-"));
  url = `file:${join(dir, "kb.db")}`;
  const db = openKb(url);
  await migrateKb(db);
  ana = (await createOperator(db, { name: "Ana", role: "agent", team: "billing" }, { now: Date.UTC(2026, 0, 1), random: (n) => crypto.getRandomValues(new Uint8Array(n)) })).operator.id;
  const entries: Array<[string, string, string, string, "ok" | "denied", string]> = [
    [ana, "agent", "conversation.read", CONV(1), "ok", "2026-01-05T10:00:00Z"],
    [ana, "agent", "conversation.read", CONV(1), "ok", "2026-01-05T11:30:00Z"],
    [ana, "agent", "conversation.read", CONV(2), "ok", "2026-01-31T23:59:00Z"],
    [ana, "agent", "conversation.read", CONV(3), "denied", "2026-01-06T09:00:00Z"],
    [ana, "agent", "agent.conversation.messages", CONV(4), "ok", "2026-01-06T09:05:00Z"],
    [ana, "agent", "conversation.read", CONV(5), "ok", "2026-02-01T00:00:00Z"],
    ["break-glass", "admin", "subject.export", "subject-key-0123456789abcdef", "ok", "2026-01-07T08:00:00Z"],
  ];
  for (const [actor, role, action, target, outcome, at] of entries) await appendAudit(db, { actor, role, action, target, outcome }, Date.parse(at));
  db.$client.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const auditCli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, ["--import", resolve("scripts/sql-text.ts"), resolve("scripts/audit.ts"), ...args], { env: { ...process.env, LIBSQL_URL: url }, encoding: "utf8" }, (err, stdout, stderr) =>
      done({ status: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
    );
  });

describe("npm run audit -- access-report", () => {
  it("lists per operator the conversations and customer exports they read, most reads first", async () => {
    const { status, stdout } = await auditCli("access-report", "--from", "2026-01-01", "--to", "2026-01-31", "--json");
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as AccessReport;
    expect(report).toMatchObject({ from: "2026-01-01T00:00:00.000Z", to: "2026-02-01T00:00:00.000Z", operator: null });
    expect(report.operators).toEqual([
      {
        operator: ana,
        name: "Ana",
        role: "agent",
        reads: 3,
        conversations: 2,
        subjects: 0,
        targets: [
          { kind: "conversation", id: CONV(1), reads: 2, first: "2026-01-05T10:00:00.000Z", last: "2026-01-05T11:30:00.000Z" },
          { kind: "conversation", id: CONV(2), reads: 1, first: "2026-01-31T23:59:00.000Z", last: "2026-01-31T23:59:00.000Z" },
        ],
      },
      { operator: "break-glass", name: null, role: "admin", reads: 1, conversations: 0, subjects: 1, targets: [{ kind: "subject", id: "subject-key-0123456789abcdef", reads: 1, first: "2026-01-07T08:00:00.000Z", last: "2026-01-07T08:00:00.000Z" }] },
    ]);
  });

  it("narrows to one operator and a time range, and prints text by default", async () => {
    const { status, stdout } = await auditCli("access-report", "--from", "2026-01-05T11:00:00Z", "--to", "2026-01-10", "--operator", ana);
    expect(status).toBe(0);
    expect(stdout).toContain(`by ${ana}`);
    expect(stdout).toContain(`${ana} (Ana, agent): 1 read(s) of 1 conversation(s) and 0 customer export(s)`);
    expect(stdout).toContain(CONV(1));
    expect(stdout).not.toContain(CONV(2));
    expect(stdout).not.toContain("break-glass");
  });

  it.each([
    ["no --from", ["--to", "2026-01-31"], /--from is required/],
    ["a --to that is not a date", ["--from", "2026-01-01", "--to", "soon"], /--to is not a date/],
    ["--from after --to", ["--from", "2026-02-01", "--to", "2026-01-01"], /--from must be before --to/],
  ])("refuses %s", async (_name, args, message) => {
    const { status, stderr } = await auditCli("access-report", ...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });
});

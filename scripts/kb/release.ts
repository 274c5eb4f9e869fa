// `npm run kb -- release <open | status | promote | rollback>`: KB releases through the admin
// API of a running Worker (scripts/admin-client.ts), so the CLI takes the same path, checks
// and audit trail as any operator. `--settings` acts on answer-setting releases instead.
//   release open --percent N [--min-conversations N] [--max-minutes M] [--alpha A] [--no-auto-promote]
//   release status [--id rel_…]      the open release (else the latest) with the guard's comparison
//   release promote | rollback [--id rel_…]   the open release, unless an id is given
//   release pending                   KB writes waiting for a release
import { adminTarget, client, type AdminCall } from "../admin-client.ts";
import type { Release } from "../../src/releases/repository.ts";

export interface ReleaseArgs {
  percent?: string;
  id?: string;
  "min-conversations"?: string;
  "max-minutes"?: string;
  alpha?: string;
  "no-auto-promote"?: boolean;
  settings?: boolean;
}

const number = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};

export async function releaseCommand(command: string | undefined, args: ReleaseArgs, call: AdminCall = defaultCall()): Promise<void> {
  const base = args.settings ? "/v1/admin/settings/releases" : "/v1/admin/kb/releases";
  const latest = async () => (await call<{ releases: Release[] }>("GET", `${base}?limit=1`)).releases[0] ?? null;
  const target = async () => {
    if (args.id) return args.id;
    const r = await latest();
    if (!r || r.state !== "canary") throw new Error("No release is open.");
    return r.id;
  };
  switch (command) {
    case "open": {
      const percent = number(args.percent, "--percent");
      if (percent === undefined) throw new Error("usage: kb release open --percent N");
      const guard = { minConversations: number(args["min-conversations"], "--min-conversations"), maxMinutes: number(args["max-minutes"], "--max-minutes"), alpha: number(args.alpha, "--alpha"), ...(args["no-auto-promote"] && { autoPromote: false }) };
      print(await call<Release>("POST", base, { percent, guard }));
      return;
    }
    case "status": {
      const r = args.id ? await call<Release>("GET", `${base}/${args.id}`) : await latest();
      if (!r) console.log("No releases yet.");
      else print(r);
      return;
    }
    case "promote":
    case "rollback":
      print(await call<Release>("POST", `${base}/${await target()}/${command}`));
      return;
    case "pending": {
      const { writes } = await call<{ writes: Array<{ id: string; title: string; deleted: boolean; live: boolean }> }>("GET", "/v1/admin/kb/releases/pending");
      if (!writes.length) console.log("Nothing waits for a release.");
      for (const w of writes) console.log(`${w.deleted ? "delete" : w.live ? "change" : "new   "}  ${w.id}  ${w.title}`);
      return;
    }
    default:
      throw new Error("usage: kb release <open --percent N | status | promote | rollback | pending> [--id rel_…] [--settings]");
  }
}

function defaultCall(): AdminCall {
  const { url, key } = adminTarget();
  return client(url, key);
}

function print(r: Release & { guardDecision?: string; guardReason?: string }): void {
  console.log(`${r.id}  ${r.kind}  ${r.state}  ${r.percent}%  stable v${r.stableVersion} → candidate v${r.candidateVersion}`);
  console.log(`  opened ${r.openedAt} by ${r.openedBy}${r.closedAt ? `; closed ${r.closedAt} by ${r.closedBy}: ${r.reason}` : ""}`);
  if (r.guardDecision) console.log(`  guard: ${r.guardDecision} (${r.guardReason})`);
  const c = r.comparison;
  if (!c) return;
  const rows = Object.fromEntries((["canary", "stable"] as const).map((arm) => [arm, c[arm]]));
  console.table(rows);
  console.table(c.tests.map((t) => ({ metric: t.metric, canary: t.canary, stable: t.stable, "p (canary worse)": t.pValue, regressed: t.regressed })));
}

// Refreshes test/fixtures/rpc-previous.json from the release being replaced: the RPC calls
// of test/rpc/scenario.ts (the previous release's argument shapes) run against that
// release's own Durable Objects in workerd, and the shapes of their answers recorded.
// test/workers/rpc-compat.test.ts then sends the same calls to the current objects and
// checks that each answer still gives what the previous release's code read.
//
//   npm run rpc:fixtures -- <git ref of the release being replaced>
//
// The ref's tree is exported to a temporary folder (git archive; no worktree, nothing in
// this checkout changes but the fixture), given this checkout's node_modules, and the
// scenario is run there by that tree's own Vitest workers project (its wrangler.toml, its
// KB primary). A call the release refuses, or a binding it lacks, fails the capture.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CapturedCall } from "../test/rpc/calls.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const FIXTURE = join(ROOT, "test/fixtures/rpc-previous.json");

/** What the fixture holds: which release answered, and each call with its answer's shape. */
export interface RpcFixture {
  release: { commit: string; subject: string; date: string };
  refresh: string;
  calls: CapturedCall[];
}

function git(args: string[], input?: Buffer): Buffer {
  const run = spawnSync("git", args, { cwd: ROOT, input, maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr.toString().trim()}`);
  return run.stdout;
}

/** Exports a commit's tree (without the datasets and bench results) into `dir`. */
function exportTree(commit: string, dir: string): void {
  const archive = git(["archive", "--format=tar", commit, "--", ".", ":(exclude)data", ":(exclude)bench/results"]);
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive, maxBuffer: 16 * 1024 * 1024 });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString().trim()}`);
}

export function capture(ref: string): RpcFixture {
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]).toString().trim();
  const [subject = "", date = ""] = git(["show", "-s", "--format=%s%n%cI", commit]).toString().trim().split("\n");
  const dir = mkdtempSync(join(tmpdir(), "holdfast-rpc-"));
  try {
    exportTree(commit, dir);
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const into = join(dir, "test/workers/rpc-capture");
    mkdirSync(into, { recursive: true });
    for (const file of ["calls.ts", "scenario.ts", "capture.test.ts"]) cpSync(join(ROOT, "test/rpc", file), join(into, file));
    const vitest = join(ROOT, "node_modules/vitest/vitest.mjs");
    const run = spawnSync(process.execPath, [vitest, "run", "test/workers/rpc-capture/capture.test.ts", "--project", "workers", "--update"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, CI: "", FORCE_COLOR: "0", WRANGLER_SEND_METRICS: "false" },
      maxBuffer: 64 * 1024 * 1024,
    });
    const captured = join(into, "captured.json");
    if (run.status !== 0 || !existsSync(captured)) throw new Error(`the capture failed against ${commit.slice(0, 7)}:\n${run.stdout}\n${run.stderr}`);
    return {
      release: { commit, subject, date },
      refresh: "npm run rpc:fixtures -- <the release being replaced> (docs/releases.md)",
      calls: JSON.parse(readFileSync(captured, "utf8")) as CapturedCall[],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const ref = process.argv[2];
  if (!ref) {
    console.error("usage: npm run rpc:fixtures -- <git ref of the release being replaced>");
    process.exit(2);
  }
  try {
    const fixture = capture(ref);
    writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${fixture.calls.length} calls captured from ${fixture.release.commit.slice(0, 7)} (${fixture.release.subject}) into ${FIXTURE}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

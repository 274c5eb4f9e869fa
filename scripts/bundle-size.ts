// The production bundle's size against the budget in bundle-budget.json. With --build it
// first builds it offline, as a deploy would upload it (`wrangler deploy --dry-run --env
// production --outdir <dir>`, into an emptied dir). Reads the modules wrangler wrote (the
// Worker and its bundled SQL; not source maps) and measures them as wrangler's "Total Upload"
// does: every module together, raw and gzipped. Prints size vs budget; exits 1 above the
// budget (CI), 2 when it cannot build or measure.
//
//   npm run bundle:size            (= node scripts/bundle-size.ts --build)
//   node scripts/bundle-size.ts [--build] [--dir dist] [--budget bundle-budget.json]
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const ROOT = resolve(import.meta.dirname, "..");
const KIB = 1024;

/** What bundle-budget.json holds. */
export interface BundleBudget {
  /** The largest gzipped upload allowed, in KiB. */
  gzipKiB: number;
}

export interface BundleSize {
  modules: number;
  rawBytes: number;
  gzipBytes: number;
}

/** The uploaded modules of an outdir: everything but source maps and wrangler's README, entry first. */
export function bundleModules(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((f) => !f.endsWith(".map") && f !== "README.md" && statSync(join(dir, f)).isFile())
    .sort();
  const entry = files.indexOf("index.js");
  if (entry < 0) throw new Error(`${dir} holds no index.js: build it with \`wrangler deploy --dry-run --env production --outdir ${dir}\``);
  return [files[entry]!, ...files.filter((_, i) => i !== entry)].map((f) => join(dir, f));
}

/** The modules' size together, raw and gzipped (one stream, as wrangler reports it). */
export function measureBundle(dir: string): BundleSize {
  const contents = bundleModules(dir).map((f) => readFileSync(f));
  const all = Buffer.concat(contents);
  return { modules: contents.length, rawBytes: all.length, gzipBytes: gzipSync(all).length };
}

export function readBudget(path: string): BundleBudget {
  const budget = JSON.parse(readFileSync(path, "utf8")) as Partial<BundleBudget>;
  if (typeof budget.gzipKiB !== "number" || !(budget.gzipKiB > 0)) throw new Error(`${path}: gzipKiB must be a positive number of KiB`);
  return { gzipKiB: budget.gzipKiB };
}

/** Builds the production bundle into `dir` (emptied first), offline; throws with wrangler's output if it fails. */
export function buildBundle(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const wrangler = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const run = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--env", "production", "--outdir", dir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", FORCE_COLOR: "0" },
  });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
}

/** One line per figure, and whether the bundle is within the budget. */
export function report(size: BundleSize, budget: BundleBudget): { ok: boolean; lines: string[] } {
  const kib = (bytes: number) => `${(bytes / KIB).toFixed(2)} KiB`;
  const used = size.gzipBytes / (budget.gzipKiB * KIB);
  const ok = used <= 1;
  return {
    ok,
    lines: [
      `modules: ${size.modules}`,
      `raw:     ${kib(size.rawBytes)}`,
      `gzip:    ${kib(size.gzipBytes)} of a ${budget.gzipKiB} KiB budget (${(used * 100).toFixed(1)}%)`,
      ok ? "within the budget" : `OVER THE BUDGET by ${kib(size.gzipBytes - budget.gzipKiB * KIB)}: make the bundle smaller, or raise bundle-budget.json on purpose (say why in the commit)`,
    ],
  };
}

function main(argv: string[]): number {
  let values: { dir: string; budget: string; build: boolean };
  try {
    values = parseArgs({ args: argv, options: { dir: { type: "string", default: "dist" }, budget: { type: "string", default: "bundle-budget.json" }, build: { type: "boolean", default: false } } }).values as typeof values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  try {
    const dir = resolve(ROOT, values.dir);
    if (values.build) buildBundle(dir);
    const { ok, lines } = report(measureBundle(dir), readBudget(resolve(ROOT, values.budget)));
    for (const line of lines) (ok ? console.log : console.error)(line);
    return ok ? 0 : 1;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));

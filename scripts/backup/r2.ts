// Fetching a scheduled backup from R2 with wrangler's own client: `wrangler r2 object get`,
// against Cloudflare (--remote, with the operator's wrangler login) or the local simulation
// `wrangler dev` keeps under .data/wrangler. The scheduled job writes `kb/<name>.ndjson`
// and `kb/<name>.manifest.json` (src/platform/backup-bucket.ts).
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { backupKeys } from "../../src/backup/dump-format.ts";
import { ROOT } from "../stack.ts";

const WRANGLER = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface R2Source {
  bucket: string;
  /** Read from Cloudflare; otherwise the local simulation persisted under `persistTo`. */
  remote: boolean;
  persistTo: string;
}

function wrangler(args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1" } });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-2_000)));
    child.once("exit", (code) => (code === 0 ? done() : fail(new Error(`wrangler ${args.slice(0, 3).join(" ")} failed (${code}): ${err.trim()}`))));
  });
}

/** Downloads backup `name`'s dump and manifest into `dir`; returns the dump's path (the manifest is beside it). */
export async function downloadBackup(name: string, source: R2Source, dir: string): Promise<string> {
  const keys = backupKeys(name);
  const where = source.remote ? ["--remote"] : ["--local", "--persist-to", source.persistTo];
  const dump = join(dir, `${name}.ndjson`);
  await wrangler(["r2", "object", "get", `${source.bucket}/${keys.dump}`, "--file", dump, ...where]);
  await wrangler(["r2", "object", "get", `${source.bucket}/${keys.manifest}`, "--file", join(dir, `${name}.manifest.json`), ...where]);
  return dump;
}

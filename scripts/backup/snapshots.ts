// Local snapshots of the KB primary (`npm run backup`): a dump (src/backup/dump.ts) read in
// one read transaction — a WAL reader, so the running endpoint's writers are not held up —
// written to `<dir>/<name>.ndjson` with its manifest `<name>.manifest.json` beside it; only
// the newest `keep` are kept.
import { createClient, type Client } from "@libsql/client/node";
import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { backupName, parseManifest, type BackupManifest } from "../../src/backup/dump-format.ts";
import { dumpKb } from "../../src/backup/dump.ts";
import { expiredBackups } from "../../src/backup/retention.ts";

const MANIFEST = ".manifest.json";
const DUMP = ".ndjson";

export interface SnapshotFiles {
  manifest: BackupManifest;
  dump: string;
  manifestPath: string;
}

/** A client that reads integers exactly (what dumps need); on a local file, it waits out other processes' locks. */
export async function dumpClient(url: string, authToken?: string): Promise<Client> {
  const client = createClient({ url, authToken, intMode: "bigint" });
  // The dev endpoint writes the same file: a read can meet its lock for a moment (WAL).
  if (url.startsWith("file:")) await client.execute("PRAGMA busy_timeout = 5000");
  return client;
}

/**
 * Dumps `db` (a file: or remote libSQL client, intMode "bigint") into `dir` and keeps the
 * newest `keep` snapshots. The dump is written to a temporary name and renamed once whole,
 * then its manifest: a snapshot without a manifest is never taken for a complete one.
 */
export async function takeSnapshot(db: Client, dir: string, keep: number, now: () => number = Date.now): Promise<SnapshotFiles & { removed: string[] }> {
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `.partial-${process.pid}-${now()}${DUMP}`);
  const out = createWriteStream(partial, { mode: 0o600 });
  const hash = createHash("sha256");
  let bytes = 0;
  const tx = await db.transaction("read");
  try {
    const summary = await dumpKb(
      tx,
      async (line) => {
        const chunk = Buffer.from(`${JSON.stringify(line)}\n`, "utf8");
        hash.update(chunk);
        bytes += chunk.length;
        if (!out.write(chunk)) await once(out, "drain");
      },
      now(),
    );
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const { createdAt, kbVersion } = summary;
    const name = backupName(createdAt, kbVersion);
    const manifest: BackupManifest = { name, ...summary, sha256: hash.digest("hex"), bytes };
    const dump = join(dir, `${name}${DUMP}`);
    renameSync(partial, dump);
    const manifestPath = join(dir, `${name}${MANIFEST}`);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    const removed = expiredBackups(listSnapshots(dir), keep);
    for (const old of removed) for (const ext of [DUMP, MANIFEST]) rmSync(join(dir, `${old}${ext}`), { force: true });
    return { manifest, dump, manifestPath, removed };
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  } finally {
    tx.close();
  }
}

/** Names of the complete snapshots in `dir` (those with a manifest), oldest first. */
export function listSnapshots(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST))
    .map((f) => f.slice(0, -MANIFEST.length))
    .sort();
}

/**
 * The dump and manifest a `--from` names: `latest` (the newest in `dir`), a snapshot name in
 * `dir`, or a dump file with its manifest beside it (`x.ndjson` → `x.manifest.json`).
 * Null manifest: it is missing or not a manifest.
 */
export function resolveSnapshot(from: string, dir: string): { dump: string; manifestPath: string; manifest: BackupManifest | null } {
  let base: string;
  if (from === "latest") {
    const newest = listSnapshots(dir).at(-1);
    if (!newest) throw new Error(`no snapshot in ${dir}`);
    base = join(dir, newest);
  } else if (existsSync(join(dir, `${from}${MANIFEST}`))) base = join(dir, from);
  else base = from.endsWith(DUMP) ? from.slice(0, -DUMP.length) : from;
  const dump = `${base}${DUMP}`;
  const manifestPath = `${base}${MANIFEST}`;
  if (!existsSync(dump)) throw new Error(`no dump at ${dump}`);
  return { dump, manifestPath, manifest: existsSync(manifestPath) ? parseManifest(readFileSync(manifestPath, "utf8")) : null };
}

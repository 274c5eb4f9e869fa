// `npm run backup [-- --db .data/kb.db] [--dir .data/backups] [--keep N]`: a consistent
// snapshot of the KB primary, running or not — a dump read in one read transaction, with
// its SHA-256, KB version, audit-chain head and row counts in a manifest beside it — into
// .data/backups/, keeping the newest BACKUP_KEEP (30). LIBSQL_URL (with LIBSQL_AUTH_TOKEN)
// dumps a remote primary instead (Turso, sqld). Restore with `npm run restore`.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./cli-args.ts";
import { dumpClient, takeSnapshot } from "./backup/snapshots.ts";

export const DEFAULT_BACKUP_DIR = ".data/backups";
export const DEFAULT_BACKUP_KEEP = 30;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: "string" }, dir: { type: "string", default: DEFAULT_BACKUP_DIR }, keep: { type: "string", default: process.env.BACKUP_KEEP ?? String(DEFAULT_BACKUP_KEEP) } },
  });
  const url = values.db ? `file:${resolve(values.db)}` : (process.env.LIBSQL_URL ?? `file:${resolve(".data/kb.db")}`);
  const client = await dumpClient(url, url.startsWith("file:") ? undefined : process.env.LIBSQL_AUTH_TOKEN);
  try {
    const started = performance.now();
    const { manifest, dump, removed } = await takeSnapshot(client, resolve(values.dir!), positiveInt(values.keep, "--keep"));
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    console.log(`Backed up the KB primary: ${dump}`);
    console.log(`  KB version ${manifest.kbVersion}, audit head ${manifest.auditHead ? `seq ${manifest.auditHead.seq} ${manifest.auditHead.hash}` : "(empty log)"}`);
    console.log(`  ${rows} rows in ${Object.keys(manifest.tables).length} tables, ${manifest.bytes} bytes, SHA-256 ${manifest.sha256}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (removed.length) console.log(`  Removed ${removed.length} older snapshot(s) beyond the newest ${values.keep}.`);
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`Backup failed: ${err.message}`);
    process.exit(1);
  });
}

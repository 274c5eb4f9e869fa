// `npm run restore -- --from <latest | name | file.ndjson | r2:<name>> [--db .data/kb.db] [--out F] [--endpoint URL]`
// `npm run restore -- --from-replica <region> [--url http://127.0.0.1:8787] [--admin-key K]`
// Restores the KB primary into a fresh file and verifies it — the dump's SHA-256 against its
// manifest, SQLite's integrity check, the KB version, the audit chain up to its stamped head,
// the row counts — and only then puts it in place (or, with --out, leaves it at F: what a
// production restore uploads, docs/runbooks/disaster-recovery.md). A snapshot that fails a
// check is refused with the reason and nothing is changed. With the dev endpoint serving the
// file (`npm start`), it swaps the new file in between requests; otherwise the file is
// renamed into place. --from-replica rebuilds the published articles from a region's replica
// when every snapshot is lost, and lists what cannot come back.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { REGIONS } from "../src/edge/regions.ts";
import { DEFAULT_BACKUP_DIR } from "./backup.ts";
import { downloadBackup } from "./backup/r2.ts";
import { rebuildFromReplica, readReplica } from "./backup/replica-rebuild.ts";
import { buildVerified, endpointAt, putInPlace, stampRestored, type Endpoint } from "./backup/restore.ts";
import { resolveSnapshot } from "./backup/snapshots.ts";
import { readDevVar } from "./dev-vars.ts";

/** The R2 bucket the scheduled backup writes to (wrangler.toml, BACKUP_BUCKET). */
export const BACKUP_BUCKET_NAME = "holdfast-kb-backups";

interface Options {
  db: string;
  out: string | null;
  /** The dev endpoint that may be serving `db`; null: none is asked (another file was named). */
  endpoint: string | null;
}

/** The dev endpoint serving `db`, if one answers (its token from LIBSQL_AUTH_TOKEN or .dev.vars). */
async function runningEndpoint(url: string): Promise<Endpoint | null> {
  const authToken = process.env.LIBSQL_AUTH_TOKEN ?? readDevVar("LIBSQL_AUTH_TOKEN") ?? "";
  return (await endpointAt(url, authToken)) ? { url, authToken } : null;
}

/** Stamps the verified file and puts it where it goes; returns a line saying where. */
async function place(staged: string, o: Options, what: { action: "kb.restore" | "kb.rebuild"; target: string }): Promise<string> {
  const epoch = await stampRestored(staged, what, Date.now());
  if (o.out) {
    rmSync(o.out, { force: true });
    await putInPlace(staged, o.out, null);
    return `Written to ${o.out} (epoch ${epoch}); the live primary was not touched.`;
  }
  const by = await putInPlace(staged, o.db, o.endpoint ? await runningEndpoint(o.endpoint) : null);
  return by === "endpoint" ? `Swapped in by the running dev endpoint (${o.endpoint}) at ${o.db} (epoch ${epoch}).` : `Put in place at ${o.db} (epoch ${epoch}).`;
}

async function fromSnapshot(from: string, dir: string, o: Options, r2: { remote: boolean; bucket: string; persistTo: string }): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), "holdfast-restore-"));
  try {
    const source = from.startsWith("r2:") ? await downloadBackup(from.slice(3), { ...r2 }, scratch) : from;
    const { dump, manifest } = resolveSnapshot(source, dir);
    if (!manifest) {
      console.error(`Refused: ${dump} has no valid manifest beside it (<name>.manifest.json), so it cannot be verified.`);
      return 1;
    }
    const staged = join(dirname(o.out ?? o.db), `.restoring-${process.pid}.db`);
    const check = await buildVerified(dump, manifest, staged);
    if (!check.ok) {
      console.error(`Refused: ${manifest.name} failed a check (${check.reason}): ${check.detail}. Nothing was changed.`);
      return 1;
    }
    const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
    console.log(`Verified ${manifest.name}: checksum, integrity, KB version ${manifest.kbVersion}, audit chain to seq ${manifest.auditHead?.seq ?? 0}, ${rows} rows.`);
    console.log(await place(staged, o, { action: "kb.restore", target: manifest.name }));
    console.log(`Changes made after ${manifest.createdAt} are not in this snapshot. Replicas see the new epoch and resync from it.`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function fromReplica(region: string, url: string, adminKey: string, o: Options): Promise<number> {
  if (!(REGIONS as readonly string[]).includes(region)) throw new Error(`--from-replica needs a region: ${REGIONS.join(", ")}`);
  const { replica, articles } = await readReplica(url, adminKey, region);
  const staged = join(dirname(o.out ?? o.db), `.restoring-${process.pid}.db`);
  const report = await rebuildFromReplica(staged, replica, articles, Date.now());
  console.log(`Rebuilt from the ${region} replica: ${report.articles} published articles (its copy: KB version ${report.replicaVersion}, last synced ${report.replicaSyncedAt ?? "never"}).`);
  console.log(await place(staged, o, { action: "kb.rebuild", target: region }));
  console.log("What cannot come back from a replica:");
  for (const line of report.lost) console.log(`  - ${line}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      "from-replica": { type: "string" },
      db: { type: "string", default: ".data/kb.db" },
      dir: { type: "string", default: DEFAULT_BACKUP_DIR },
      out: { type: "string" },
      endpoint: { type: "string" },
      url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? 8787}` },
      "admin-key": { type: "string" },
      bucket: { type: "string", default: BACKUP_BUCKET_NAME },
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string", default: ".data/wrangler" },
    },
  });
  // The dev endpoint `npm start` runs serves .data/kb.db: it is asked to swap that file in, or any file with --endpoint.
  const endpoint = values.endpoint ?? (resolve(values.db!) === resolve(".data/kb.db") ? `http://127.0.0.1:${process.env.LIBSQL_PORT ?? 8790}` : null);
  const o: Options = { db: resolve(values.db!), out: values.out ? resolve(values.out) : null, endpoint };
  if (values.from && !values["from-replica"]) return fromSnapshot(values.from, resolve(values.dir!), o, { remote: values.remote!, bucket: values.bucket!, persistTo: resolve(values["persist-to"]!) });
  if (values["from-replica"] && !values.from) {
    const adminKey = values["admin-key"] ?? process.env.ADMIN_API_KEY ?? readDevVar("ADMIN_API_KEY") ?? "";
    return fromReplica(values["from-replica"], values.url!, adminKey, o);
  }
  throw new Error("usage: restore --from <latest | name | file.ndjson | r2:<name>> | --from-replica <region>  [--db F] [--out F]");
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`Restore failed: ${err.message}`);
      process.exit(2);
    },
  );
}

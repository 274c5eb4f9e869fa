// Restoring the KB primary from a dump: check the dump's SHA-256 against its manifest, load it
// into a fresh libSQL file, check that file (integrity, KB version, audit chain and head, row
// counts), and only then stamp it (a new epoch, so replicas resync; a `kb.restore` audit
// entry) and put it in place. A dump that fails a check is refused with the reason, and the
// live primary is never touched.
import { createHash } from "node:crypto";
import { createReadStream, renameSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { ident, type BackupManifest } from "../../src/backup/dump-format.ts";
import { DumpFormatError, loadDump, type Loaded } from "../../src/backup/load.ts";
import { checkChecksum, checkLoaded, checkRestored, type RestoredFacts, type RestoreCheck } from "../../src/backup/verify.ts";
import { appendAudit, verifyAudit } from "../../src/operators/repository.ts";
import { openKb } from "../kb.ts";
import { dumpClient } from "./snapshots.ts";

/** SHA-256 hex and size of a file, read as a stream. */
export async function checksumOf(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Builds `staged` (replaced if present) from the dump and checks it against the manifest.
 * On refusal the staged file is removed.
 */
export async function buildVerified(dumpPath: string, manifest: BackupManifest, staged: string): Promise<RestoreCheck> {
  const sum = await checksumOf(dumpPath);
  const checksum = checkChecksum(manifest, sum.sha256, sum.bytes);
  if (!checksum.ok) return checksum;
  removeDatabase(staged);
  let check: RestoreCheck;
  try {
    const loaded = await load(dumpPath, staged);
    if ("reason" in loaded) check = loaded;
    else {
      check = checkLoaded(manifest, loaded);
      if (check.ok) check = checkRestored(manifest, await factsOf(staged, Object.keys(loaded.loaded)));
    }
  } catch (err) {
    removeDatabase(staged);
    throw err;
  }
  if (!check.ok) removeDatabase(staged);
  return check;
}

/** Loads the dump into a new file in one transaction (integers exactly: a bigint client). */
async function load(dumpPath: string, staged: string): Promise<Loaded | Extract<RestoreCheck, { ok: false }>> {
  const client = await dumpClient(`file:${staged}`);
  try {
    const tx = await client.transaction("write");
    try {
      const lines = createInterface({ input: createReadStream(dumpPath, "utf8"), crlfDelay: Infinity });
      const loaded = await loadDump(lines, async (statements) => void (await tx.batch(statements)));
      await tx.commit();
      return loaded;
    } catch (err) {
      if (err instanceof DumpFormatError) return { ok: false, reason: "dump_invalid", detail: err.message };
      // SQL the engine refused (a table twice, a broken constraint): not a sound database.
      return { ok: false, reason: "dump_invalid", detail: `the dump does not load: ${(err as Error).message.split("\n")[0]}` };
    } finally {
      tx.close();
    }
  } finally {
    client.close();
  }
}

/** What checkRestored needs, read from the restored database. */
async function factsOf(path: string, tables: string[]): Promise<RestoredFacts> {
  const db = openKb(`file:${path}`);
  try {
    const client = db.$client;
    const integrity = (await client.execute("PRAGMA integrity_check")).rows.map((r) => String(r[0]));
    const version = tables.includes("kb_meta") ? (await client.execute("SELECT value FROM kb_meta WHERE key = 'version'")).rows[0]?.[0] : 0;
    const audit = tables.includes("audit_log") ? await verifyAudit(db) : { ok: true as const, count: 0, head: null };
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await client.execute(`SELECT COUNT(*) FROM ${ident(table)}`)).rows[0]![0]);
    return { integrity, kbVersion: Number(version ?? 0), audit, tables: counts };
  } finally {
    db.$client.close();
  }
}

/**
 * Marks a verified database as restored before it goes live: a new epoch (replicas that
 * hold anything of the lost history start again from it) and a `kb.restore` audit entry
 * naming the snapshot, chained onto the restored head.
 */
export async function stampRestored(path: string, what: { action: "kb.restore" | "kb.rebuild"; target: string }, now: number): Promise<number> {
  const db = openKb(`file:${path}`);
  try {
    await db.$client.execute({ sql: "INSERT INTO kb_meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args: [BigInt(now)] });
    await appendAudit(db, { actor: "cli", role: "system", action: what.action, target: what.target, outcome: "ok" }, now);
    return now;
  } finally {
    db.$client.close();
  }
}

/** Where the running dev endpoint is, to have it swap the file in (scripts/hrana/server.ts). */
export interface Endpoint {
  url: string;
  authToken: string;
}

export type PlacedBy = "rename" | "endpoint";

/**
 * Puts a verified, stamped database in place of `dbPath`. With a dev endpoint serving that
 * file, it is staged beside it as `<db>.restored` and the endpoint swaps it in (between
 * requests, with no transaction open); otherwise the file is renamed over the old one (and the
 * old one's WAL removed, which would otherwise be replayed onto the new file).
 */
export async function putInPlace(staged: string, dbPath: string, endpoint: Endpoint | null): Promise<PlacedBy> {
  if (endpoint) {
    renameSync(staged, `${dbPath}.restored`);
    const res = await fetch(`${endpoint.url}/_dev/swap`, { method: "POST", headers: { Authorization: `Bearer ${endpoint.authToken}`, "Content-Type": "application/json" }, body: "{}" });
    if (res.status !== 200) throw new Error(`the dev endpoint did not swap the database in (${res.status}); the verified file is at ${dbPath}.restored`);
    return "endpoint";
  }
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${dbPath}${suffix}`, { force: true });
  renameSync(staged, dbPath);
  return "rename";
}

/** Whether a dev endpoint answers at `url` with this token: true, false (nothing listening), or an error (someone else's). */
export async function endpointAt(url: string, authToken: string): Promise<boolean> {
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${authToken}` }, signal: AbortSignal.timeout(2_000) });
  } catch {
    return false;
  }
  await res.body?.cancel();
  if (res.status === 200) return true;
  throw new Error(`something answers at ${url} but refuses this LIBSQL_AUTH_TOKEN (${res.status}); stop it, or give its token`);
}

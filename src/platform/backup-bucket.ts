// The scheduled backup of the KB primary into R2 (BACKUP_BUCKET, on the cron in wrangler.toml):
// the primary is read through @libsql/client/web in one read transaction, a page at a time
// (src/backup/dump.ts), and streamed into a multipart upload while its SHA-256 is computed;
// the manifest goes beside it once the dump is whole, and only the newest BACKUP_KEEP stay.
// `npm run restore -- --from r2:<name>` restores one (scripts/backup/r2.ts fetches it).
import { backupKeys, backupName, BACKUP_PREFIX, type BackupManifest } from "../backup/dump-format.ts";
import { dumpKb } from "../backup/dump.ts";
import { expiredBackups } from "../backup/retention.ts";
import type { Config } from "../config.ts";
import { backupReader } from "./primary.ts";

/** Bytes per uploaded part: R2 wants at least 5 MiB for every part but the last. */
const PART_BYTES = 8 * 1024 * 1024;
const MANIFEST_SUFFIX = ".manifest.json";

/** A backup as the bucket lists it (from the manifest object's metadata). */
export interface BackupListing {
  name: string;
  createdAt: string;
  kbVersion: number;
  auditSeq: number;
  bytes: number;
  sha256: string;
}

/** Collects bytes into parts of PART_BYTES and uploads each as it fills. */
class PartWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;
  readonly parts: R2UploadedPart[] = [];
  readonly upload: R2MultipartUpload;
  constructor(upload: R2MultipartUpload) {
    this.upload = upload;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
    if (this.size >= PART_BYTES) await this.flush();
  }

  /** Uploads what is collected as the next part, then completes the upload. */
  async complete(): Promise<void> {
    if (this.size || !this.parts.length) await this.flush();
    await this.upload.complete(this.parts);
  }

  private async flush(): Promise<void> {
    const body = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      body.set(c, offset);
      offset += c.byteLength;
    }
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, body));
    this.chunks = [];
    this.size = 0;
  }
}

/** What the list of backups shows of a manifest. */
export function listingOf(m: BackupManifest): BackupListing {
  return { name: m.name, createdAt: m.createdAt, kbVersion: m.kbVersion, auditSeq: m.auditHead?.seq ?? 0, bytes: m.bytes, sha256: m.sha256 };
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Dumps the primary into the bucket; returns the manifest written. Throws (after aborting the upload) on any failure. */
export async function backupToBucket(bucket: R2Bucket, config: Pick<Config, "primary" | "backupKeep">, now: number): Promise<{ manifest: BackupManifest; removed: string[] }> {
  const client = backupReader(config.primary);
  const digest = new crypto.DigestStream("SHA-256");
  const hashing = digest.getWriter();
  const encoder = new TextEncoder();
  let parts: PartWriter | null = null;
  let bytes = 0;
  try {
    const tx = await client.transaction("read");
    let summary;
    try {
      summary = await dumpKb(
        tx,
        async (line) => {
          // The header names the dump (its stamp and KB version): the upload starts with it.
          if (line.type === "header") parts = new PartWriter(await bucket.createMultipartUpload(backupKeys(backupName(line.createdAt, line.kbVersion)).dump, { httpMetadata: { contentType: "application/x-ndjson" } }));
          const chunk = encoder.encode(`${JSON.stringify(line)}\n`);
          bytes += chunk.byteLength;
          await hashing.write(chunk);
          await parts!.write(chunk);
        },
        now,
      );
    } finally {
      tx.close();
    }
    await parts!.complete();
    await hashing.close();
    const name = backupName(summary.createdAt, summary.kbVersion);
    const manifest: BackupManifest = { name, ...summary, sha256: hex(await digest.digest), bytes };
    const listing = listingOf(manifest);
    // The manifest last: a dump without one is never taken for a backup.
    await bucket.put(backupKeys(name).manifest, JSON.stringify(manifest, null, 2), { httpMetadata: { contentType: "application/json" }, customMetadata: { listing: JSON.stringify(listing) } });
    return { manifest, removed: await prune(bucket, config.backupKeep) };
  } catch (err) {
    await (parts as PartWriter | null)?.upload.abort().catch(() => {});
    throw err;
  } finally {
    client.close();
  }
}

/** Every backup name in the bucket (those with a manifest), oldest first. */
async function backupNames(bucket: R2Bucket): Promise<string[]> {
  const names: string[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await bucket.list({ prefix: BACKUP_PREFIX, cursor });
    for (const o of page.objects) if (o.key.endsWith(MANIFEST_SUFFIX)) names.push(o.key.slice(BACKUP_PREFIX.length, -MANIFEST_SUFFIX.length));
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  return names.sort();
}

/** Deletes all but the newest `keep` backups; returns the names deleted. */
async function prune(bucket: R2Bucket, keep: number): Promise<string[]> {
  const expired = expiredBackups(await backupNames(bucket), keep);
  for (const name of expired) {
    const keys = backupKeys(name);
    // The manifest first: a dump without one is never taken for a backup.
    await bucket.delete(keys.manifest);
    await bucket.delete(keys.dump);
  }
  return expired;
}

/** The newest backups, newest first (what `npm run restore -- --from r2:<name>` takes). */
export async function listBackups(bucket: R2Bucket, limit: number): Promise<BackupListing[]> {
  const out: BackupListing[] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await bucket.list({ prefix: BACKUP_PREFIX, cursor, include: ["customMetadata"] });
    for (const o of page.objects) {
      const raw = o.key.endsWith(MANIFEST_SUFFIX) ? o.customMetadata?.listing : undefined;
      if (raw) out.push(JSON.parse(raw) as BackupListing);
    }
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  return out.sort((a, b) => (a.name < b.name ? 1 : -1)).slice(0, limit);
}

/** The cron's work: a backup when the bucket is bound, logged by code and figures only. */
export async function scheduledBackup(env: Env, config: Config, now: number): Promise<void> {
  if (!env.BACKUP_BUCKET) {
    console.warn(JSON.stringify({ level: "warn", code: "backup_bucket_missing" }));
    return;
  }
  try {
    const { manifest, removed } = await backupToBucket(env.BACKUP_BUCKET, config, now);
    console.log(JSON.stringify({ level: "info", code: "backup_written", name: manifest.name, kbVersion: manifest.kbVersion, auditSeq: manifest.auditHead?.seq ?? 0, bytes: manifest.bytes, removed: removed.length }));
  } catch (err) {
    console.error(JSON.stringify({ level: "error", code: "backup_failed", kind: err instanceof Error ? err.name : typeof err }));
    throw err;
  }
}

// The KB primary's backup format: a dump of every table as JSON lines (schema, rows a page
// at a time, sequences, then indexes and triggers), and a manifest beside it that stamps the
// dump with its SHA-256, its KB version, the audit chain's head and the row counts. One
// format for `npm run backup` (a local file) and the scheduled backup to R2, so one restore
// reads both. Values keep their SQLite type: integers beyond 2^53, whole-number reals and
// blobs are tagged.
import { z } from "zod";
import { base64url, fromBase64url } from "../auth/token.ts";

export const DUMP_FORMAT = "holdfast.kb-dump.v1";

/** A column value as stored in a dump line. */
export type DumpValue = null | string | number | { $int: string } | { $real: number } | { $blob: string };

export interface AuditHead {
  seq: number;
  hash: string;
}

/** What a dump says about itself in its first line, and its manifest repeats. */
export interface DumpHeader {
  format: typeof DUMP_FORMAT;
  /** ISO 8601 UTC: when the read transaction began (nothing written after it is in the dump). */
  createdAt: string;
  kbVersion: number;
  /** The primary's epoch (kb_meta `epoch`, 0 before any restore): replicas resync when it changes. */
  epoch: number;
  auditHead: AuditHead | null;
  /** The last KB migration applied (drizzle's hash), null when none is recorded. */
  migration: string | null;
}

export type DumpLine =
  | ({ type: "header" } & DumpHeader)
  | { type: "table"; name: string; sql: string; columns: string[] }
  | { type: "rows"; table: string; rows: DumpValue[][] }
  | { type: "sequence"; name: string; seq: number }
  | { type: "schema"; kind: "index" | "trigger" | "view"; name: string; sql: string }
  | { type: "end"; tables: Record<string, number> };

/** The file beside a dump: the header's stamps plus what only the whole file can tell. */
export interface BackupManifest extends DumpHeader {
  /** The dump's name, without extension: `kb-<stamp>-v<version>`. */
  name: string;
  /** Rows per table. */
  tables: Record<string, number>;
  /** SHA-256 hex of the dump's bytes. */
  sha256: string;
  bytes: number;
}

const AuditHeadSchema = z.strictObject({ seq: z.number().int().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) });
const HeaderFields = {
  format: z.literal(DUMP_FORMAT),
  createdAt: z.iso.datetime(),
  kbVersion: z.number().int().min(0),
  epoch: z.number().int().min(0),
  auditHead: AuditHeadSchema.nullable(),
  migration: z.string().max(200).nullable(),
};
const Counts = z.record(z.string(), z.number().int().min(0));
const Value = z.union([z.null(), z.string(), z.number(), z.strictObject({ $int: z.string().regex(/^-?\d{1,20}$/) }), z.strictObject({ $real: z.number() }), z.strictObject({ $blob: z.string() })]);

const LineSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("header"), ...HeaderFields }),
  // Only CREATE statements of their kind: a restore executes this SQL.
  z.strictObject({ type: z.literal("table"), name: z.string().min(1), sql: z.string().regex(/^\s*CREATE\s+TABLE\s/i), columns: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ type: z.literal("rows"), table: z.string().min(1), rows: z.array(z.array(Value)) }),
  z.strictObject({ type: z.literal("sequence"), name: z.string().min(1), seq: z.number().int() }),
  z.strictObject({ type: z.literal("schema"), kind: z.enum(["index", "trigger", "view"]), name: z.string().min(1), sql: z.string().regex(/^\s*CREATE\s+(UNIQUE\s+)?(INDEX|TRIGGER|VIEW)\s/i) }),
  z.strictObject({ type: z.literal("end"), tables: Counts }),
]);

const ManifestSchema = z.strictObject({
  ...HeaderFields,
  name: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/),
  tables: Counts,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});

/** JSON text that `schema` accepts, or null. */
function parseJson<T>(schema: z.ZodType, text: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as T) : null;
  } catch {
    return null;
  }
}

/** One line of a dump, or null when it is not one. */
export const parseLine = (text: string): DumpLine | null => parseJson<DumpLine>(LineSchema, text);

/** A manifest, or null when it is not one. */
export const parseManifest = (text: string): BackupManifest | null => parseJson<BackupManifest>(ManifestSchema, text);

/**
 * A value read with `intMode: "bigint"` as a dump stores it: integers as numbers when exact,
 * reals tagged when they look whole (so they come back as reals), blobs in base64url.
 */
export function encodeValue(value: unknown): DumpValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : { $int: value.toString() };
  if (typeof value === "number") return Number.isInteger(value) ? { $real: value } : value;
  if (typeof value === "string") return value;
  if (value instanceof ArrayBuffer) return { $blob: base64url(value) };
  if (ArrayBuffer.isView(value)) return { $blob: base64url(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  throw new TypeError(`cannot dump a value of type ${typeof value}`);
}

/** The value to bind when a dumped row is inserted again. */
export function decodeValue(value: DumpValue): null | string | number | bigint | Uint8Array {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if ("$int" in value) return BigInt(value.$int);
  if ("$real" in value) return value.$real;
  if (value.$blob === "") return new Uint8Array(0);
  const bytes = fromBase64url(value.$blob);
  if (!bytes) throw new TypeError("a blob in the dump is not base64url");
  return bytes;
}

/** `kb-<UTC stamp to the millisecond>-v<version>`: names sort by time. */
export function backupName(createdAt: string, kbVersion: number): string {
  return `kb-${createdAt.replace(/[-:]/g, "")}-v${kbVersion}`;
}

/** A quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Where the scheduled backup keeps a backup's two objects in R2. */
export const BACKUP_PREFIX = "kb/";
export function backupKeys(name: string): { dump: string; manifest: string } {
  return { dump: `${BACKUP_PREFIX}${name}.ndjson`, manifest: `${BACKUP_PREFIX}${name}.manifest.json` };
}

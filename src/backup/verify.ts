// Whether a restored database may be put in place: the dump must be the one its manifest
// describes (checksum, header, row counts), and the database built from it must be sound
// (SQLite's integrity check), at the KB version it was stamped with, with an audit chain
// that verifies up to the head it was stamped with. Pure: the caller gathers the facts.
import type { ChainCheck } from "../privacy/audit-chain.ts";
import type { BackupManifest, DumpHeader } from "./dump-format.ts";
import type { Loaded } from "./load.ts";

export type RefusalReason =
  | "checksum_mismatch"
  | "dump_invalid"
  | "header_mismatch"
  | "row_counts_mismatch"
  | "integrity_failed"
  | "kb_version_mismatch"
  | "audit_chain_broken"
  | "audit_head_mismatch";

export type RestoreCheck = { ok: true } | { ok: false; reason: RefusalReason; detail: string };

/** What was found in the restored database. */
export interface RestoredFacts {
  /** `PRAGMA integrity_check` rows: `["ok"]` when sound. */
  integrity: string[];
  kbVersion: number;
  audit: ChainCheck;
  /** Rows per table, counted in the restored database. */
  tables: Record<string, number>;
}

const refuse = (reason: RefusalReason, detail: string): RestoreCheck => ({ ok: false, reason, detail });

/** The dump's bytes against the manifest, before anything is loaded. */
export function checkChecksum(manifest: BackupManifest, sha256: string, bytes: number): RestoreCheck {
  if (sha256 !== manifest.sha256 || bytes !== manifest.bytes) return refuse("checksum_mismatch", `the dump's SHA-256 is ${sha256} (${bytes} bytes); its manifest says ${manifest.sha256} (${manifest.bytes} bytes)`);
  return { ok: true };
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): string | null {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) if ((a[name] ?? -1) !== (b[name] ?? -1)) return name;
  return null;
}

const HEADER_FIELDS = ["format", "createdAt", "kbVersion", "epoch", "migration"] as const satisfies ReadonlyArray<keyof DumpHeader>;

/** The loaded dump against its manifest: same stamps, every row there. */
export function checkLoaded(manifest: BackupManifest, loaded: Loaded): RestoreCheck {
  for (const field of HEADER_FIELDS) if (loaded.header[field] !== manifest[field]) return refuse("header_mismatch", `the dump's ${field} differs from its manifest's`);
  if (JSON.stringify(loaded.header.auditHead) !== JSON.stringify(manifest.auditHead)) return refuse("header_mismatch", "the dump's audit head differs from its manifest's");
  const stated = sameCounts(loaded.stated, manifest.tables);
  if (stated !== null) return refuse("row_counts_mismatch", `table ${stated}: the dump's end line and its manifest disagree`);
  const missing = sameCounts(loaded.loaded, manifest.tables);
  if (missing !== null) return refuse("row_counts_mismatch", `table ${missing}: ${loaded.loaded[missing] ?? 0} rows loaded, the manifest says ${manifest.tables[missing] ?? 0}`);
  return { ok: true };
}

/** The restored database against the manifest's stamps. */
export function checkRestored(manifest: BackupManifest, facts: RestoredFacts): RestoreCheck {
  if (facts.integrity.length !== 1 || facts.integrity[0] !== "ok") return refuse("integrity_failed", `integrity_check: ${facts.integrity.slice(0, 3).join("; ")}`);
  if (facts.kbVersion !== manifest.kbVersion) return refuse("kb_version_mismatch", `KB version ${facts.kbVersion}, stamped ${manifest.kbVersion}`);
  if (!facts.audit.ok) return refuse("audit_chain_broken", `the audit chain breaks at seq ${facts.audit.brokenAt} (${facts.audit.reason})`);
  const head = facts.audit.head;
  if ((head?.seq ?? null) !== (manifest.auditHead?.seq ?? null) || (head?.hash ?? null) !== (manifest.auditHead?.hash ?? null)) {
    return refuse("audit_head_mismatch", `the audit chain ends at seq ${head?.seq ?? 0}, stamped ${manifest.auditHead?.seq ?? 0}`);
  }
  const differs = sameCounts(facts.tables, manifest.tables);
  if (differs !== null) return refuse("row_counts_mismatch", `table ${differs}: ${facts.tables[differs] ?? 0} rows, the manifest says ${manifest.tables[differs] ?? 0}`);
  return { ok: true };
}

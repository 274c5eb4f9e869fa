// Which backups to delete: all but the newest `keep` (BACKUP_KEEP). Backup names start with
// their UTC stamp (backupName), so the newest sort last.

/** The names beyond the newest `keep`, oldest first; never any when keep < 1. */
export function expiredBackups(names: readonly string[], keep: number): string[] {
  if (!Number.isInteger(keep) || keep < 1) return [];
  const sorted = [...new Set(names)].sort();
  return sorted.slice(0, Math.max(0, sorted.length - keep));
}

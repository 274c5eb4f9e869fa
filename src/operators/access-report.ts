// The access report a breach response needs: whose transcripts each operator read in a
// period, from the audit log's transcript reads (an agent opening a conversation, an admin
// exporting a customer's data), per operator and then per conversation or customer (their
// subject key). Ids only, never customer text. `npm run audit -- access-report` prints it.
import type { KbDatabase } from "../kb/articles.ts";
import type { AuditEntry } from "../privacy/audit-chain.ts";
import { auditSearch, listOperators } from "./repository.ts";

/** The audit actions that are transcript reads, and what their target names. */
export const TRANSCRIPT_READS: Readonly<Record<string, "conversation" | "subject">> = { "conversation.read": "conversation", "subject.export": "subject" };

export interface AccessTarget {
  kind: "conversation" | "subject";
  id: string;
  reads: number;
  /** ISO 8601. */
  first: string;
  last: string;
}

export interface OperatorAccess {
  operator: string;
  /** From the operators table; null for `break-glass` and operators no longer listed. */
  name: string | null;
  role: string;
  reads: number;
  conversations: number;
  subjects: number;
  /** Most read first. */
  targets: AccessTarget[];
}

export interface AccessReport {
  from: string;
  to: string;
  operator: string | null;
  /** Most reads first. */
  operators: OperatorAccess[];
}

/** Groups transcript reads (entries with outcome ok) per operator and target. */
export function accessReport(entries: readonly AuditEntry[], period: { from: string; to: string; operator?: string | null }, names: ReadonlyMap<string, string> = new Map()): AccessReport {
  const byOperator = new Map<string, { role: string; targets: Map<string, AccessTarget> }>();
  for (const e of entries) {
    const kind = TRANSCRIPT_READS[e.action];
    if (!kind || e.outcome !== "ok" || e.at < period.from || e.at >= period.to || (period.operator && e.actor !== period.operator)) continue;
    let op = byOperator.get(e.actor);
    if (!op) byOperator.set(e.actor, (op = { role: e.role, targets: new Map() }));
    const key = `${kind}:${e.target}`;
    const target = op.targets.get(key);
    if (target) {
      target.reads++;
      target.last = e.at > target.last ? e.at : target.last;
      target.first = e.at < target.first ? e.at : target.first;
    } else op.targets.set(key, { kind, id: e.target, reads: 1, first: e.at, last: e.at });
  }
  const operators = [...byOperator].map(([operator, { role, targets }]): OperatorAccess => {
    const list = [...targets.values()].sort((a, b) => b.reads - a.reads || a.first.localeCompare(b.first));
    return {
      operator,
      name: names.get(operator) ?? null,
      role,
      reads: list.reduce((n, t) => n + t.reads, 0),
      conversations: list.filter((t) => t.kind === "conversation").length,
      subjects: list.filter((t) => t.kind === "subject").length,
      targets: list,
    };
  });
  operators.sort((a, b) => b.reads - a.reads || a.operator.localeCompare(b.operator));
  return { from: period.from, to: period.to, operator: period.operator ?? null, operators };
}

/** The report over the audit log in the primary, read a page at a time. */
export async function accessReportOf(db: KbDatabase, period: { from: string; to: string; operator?: string | null }, pageSize = 500): Promise<AccessReport> {
  const entries: AuditEntry[] = [];
  const filter = { actions: Object.keys(TRANSCRIPT_READS), outcome: "ok" as const, from: period.from, to: period.to, actor: period.operator ?? undefined };
  for (let after = 0; ; ) {
    const page = await auditSearch(db, filter, after, pageSize);
    entries.push(...page);
    if (page.length < pageSize) break;
    after = page.at(-1)!.seq;
  }
  const names = new Map((await listOperators(db)).map((o) => [o.id, o.name]));
  return accessReport(entries, period, names);
}

// `npm run audit -- <command>`: the audit log in the KB primary named by LIBSQL_URL (default
// file:.data/kb.db; LIBSQL_AUTH_TOKEN for Turso).
//   verify [--page N]             check the whole hash chain, a page at a time; exit 1 when broken
//   list [--after SEQ] [--limit N] print entries
//   head                          print the newest entry's seq and hash (to anchor elsewhere)
//   access-report --from T --to T [--operator ID] [--json]
//                                 whose transcripts each operator read in [from, to): the list a
//                                 breach response needs (a date alone as --to includes that day)
import { parseArgs } from "node:util";
import { positiveInt } from "./cli-args.ts";
import { accessReportOf, type AccessReport } from "../src/operators/access-report.ts";
import { auditHead, auditPage, verifyAudit } from "../src/operators/repository.ts";
import { openKb } from "./kb.ts";

const DAY = 86_400_000;

/** An ISO date or date-time as an ISO instant; a bare date as `--to` means the end of that day. */
function instant(value: string | undefined, flag: string, endOfDay = false): string {
  if (!value) throw new Error(`${flag} is required (an ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new Error(`${flag} is not a date: use an ISO date or date-time`);
  return new Date(dateOnly && endOfDay ? ms + DAY : ms).toISOString();
}

function printReport(r: AccessReport): void {
  console.log(`Transcript reads from ${r.from} to ${r.to}${r.operator ? ` by ${r.operator}` : ""} (audit log, outcome ok): ${r.operators.length} operator(s).`);
  for (const o of r.operators) {
    console.log(`\n${o.operator}${o.name ? ` (${o.name}, ${o.role})` : ` (${o.role})`}: ${o.reads} read(s) of ${o.conversations} conversation(s) and ${o.subjects} customer export(s)`);
    for (const t of o.targets) console.log(`  ${t.kind.padEnd(12)} ${t.id}  ${String(t.reads).padStart(4)}×  ${t.first} … ${t.last}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      page: { type: "string", default: "500" },
      after: { type: "string", default: "0" },
      limit: { type: "string", default: "50" },
      from: { type: "string" },
      to: { type: "string" },
      operator: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const db = openKb();
  switch (positionals[0]) {
    case "verify": {
      const check = await verifyAudit(db, positiveInt(values.page, "--page"));
      if (check.ok) {
        console.log(`Audit chain intact: ${check.count} entries${check.head ? `, head seq ${check.head.seq} hash ${check.head.hash}` : ""}.`);
        return 0;
      }
      console.error(`Audit chain broken at seq ${check.brokenAt} (${check.reason}).`);
      return 1;
    }
    case "list":
      console.table(await auditPage(db, Number(values.after), positiveInt(values.limit, "--limit")));
      return 0;
    case "head": {
      const head = await auditHead(db);
      console.log(head ? `${head.seq} ${head.hash}` : "The audit log is empty.");
      return 0;
    }
    case "access-report": {
      const period = { from: instant(values.from, "--from"), to: instant(values.to, "--to", true), operator: values.operator ?? null };
      if (period.from >= period.to) throw new Error("--from must be before --to");
      const report = await accessReportOf(db, period);
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report);
      return 0;
    }
    default:
      throw new Error("usage: audit <verify [--page N] | list [--after SEQ] [--limit N] | head | access-report --from T --to T [--operator ID] [--json]>");
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(/no such table/.test(String(err.cause ?? err.message)) ? "The KB has no audit log yet; run `npm run kb -- migrate`." : err.message);
      process.exit(2);
    },
  );
}

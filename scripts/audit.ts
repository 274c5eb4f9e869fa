// `npm run audit -- <command>`: the audit log in the KB primary named by LIBSQL_URL (default
// file:.data/kb.db; LIBSQL_AUTH_TOKEN for Turso).
//   verify [--page N]             check the whole hash chain, a page at a time; exit 1 when broken
//   list [--after SEQ] [--limit N] print entries
//   head                          print the newest entry's seq and hash (to anchor elsewhere)
import { parseArgs } from "node:util";
import { positiveInt } from "./cli-args.ts";
import { auditHead, auditPage, verifyAudit } from "../src/operators/repository.ts";
import { openKb } from "./kb.ts";

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { page: { type: "string", default: "500" }, after: { type: "string", default: "0" }, limit: { type: "string", default: "50" } },
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
    default:
      throw new Error("usage: audit <verify [--page N] | list [--after SEQ] [--limit N] | head>");
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

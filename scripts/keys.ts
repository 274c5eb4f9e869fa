// `npm run keys -- <command>`: master key rotation, against a running Worker (HOLDFAST_URL,
// default http://127.0.0.1:$PORT or 8787) with an admin key (HOLDFAST_ADMIN_KEY, else
// ADMIN_API_KEY, else the one in .dev.vars).
//   status                                    data keys per kid, and which kids can be removed
//   rewrap [--limit N] [--pages N] [--state F] [--restart]
//                                             moves every conversation's data key to the current
//                                             kid, a page at a time, showing progress; the cursor
//                                             is saved after each page (F, default
//                                             .data/keys-rewrap.json), so a run that stops resumes
//                                             where it was; --pages stops after N pages
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { positiveInt } from "./cli-args.ts";
import { adminTarget, client, type AdminCall } from "./admin-client.ts";

const ROOT = resolve(import.meta.dirname, "..");

interface KeyStatus {
  current: string;
  kids: string[];
  dataKeys: Record<string, number>;
  retirable: string[];
}

interface RewrapPage {
  current: string;
  processed: number;
  rewrapped: number;
  erased: number;
  failed: number;
  cursor: string | null;
}

type Totals = Pick<RewrapPage, "processed" | "rewrapped" | "erased" | "failed">;

/** What a run leaves for the next: where the pass got to, under which current kid, against which Worker. */
interface SavedPass {
  url: string;
  current: string;
  cursor: string;
  totals: Totals;
}

const stale = (s: KeyStatus) => Object.entries(s.dataKeys).filter(([kid, n]) => kid !== s.current && n > 0);

function printStatus(s: KeyStatus): void {
  console.log(`Current kid: ${s.current} (DATA_ENCRYPTION_KEY: ${s.kids.join(", ")})`);
  const kids = [...new Set([...s.kids, ...Object.keys(s.dataKeys)])];
  for (const kid of kids) console.log(`  ${kid}: ${s.dataKeys[kid] ?? 0} data key(s)${s.kids.includes(kid) ? "" : " (not in DATA_ENCRYPTION_KEY: they cannot be read)"}`);
  for (const kid of s.retirable) console.log(`${kid} wraps no data key any more: it can be removed from DATA_ENCRYPTION_KEY.`);
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      limit: { type: "string", default: "50" },
      pages: { type: "string" },
      state: { type: "string", default: resolve(ROOT, ".data/keys-rewrap.json") },
      restart: { type: "boolean", default: false },
    },
  });
  const { url, key } = adminTarget();
  const call = client(url, key);
  switch (positionals[0]) {
    case "status": {
      const s = await call<KeyStatus>("GET", "/v1/admin/keys/status");
      printStatus(s);
      return 0;
    }
    case "rewrap":
      return rewrap(call, url, { limit: positiveInt(values.limit, "--limit"), pages: values.pages === undefined ? Infinity : positiveInt(values.pages, "--pages"), state: values.state!, restart: values.restart! });
    default:
      throw new Error("usage: keys <status | rewrap [--limit N] [--pages N] [--state FILE] [--restart]>");
  }
}

async function rewrap(call: AdminCall, url: string, options: { limit: number; pages: number; state: string; restart: boolean }): Promise<number> {
  const before = await call<KeyStatus>("GET", "/v1/admin/keys/status");
  const toDo = stale(before).reduce((n, [, count]) => n + count, 0);
  const saved = !options.restart && existsSync(options.state) ? (JSON.parse(readFileSync(options.state, "utf8")) as SavedPass) : null;
  // A saved pass is resumed only against the same Worker and the same current kid.
  const resumed = saved && saved.url === url && saved.current === before.current ? saved : null;
  let cursor: string | null = resumed?.cursor ?? "";
  const totals: Totals = resumed?.totals ?? { processed: 0, rewrapped: 0, erased: 0, failed: 0 };
  console.log(resumed ? `Resuming the rewrap under ${before.current} at ${cursor} (${totals.processed} visited so far).` : `Rewrapping data keys under ${before.current}.`);
  console.log(`${toDo} data key(s) under older kids: ${stale(before).map(([kid, n]) => `${kid} ${n}`).join(", ") || "none"}.`);
  let visited = 0;
  for (let pages = 0; cursor !== null && pages < options.pages; pages++) {
    const page: RewrapPage = await call<RewrapPage>("POST", "/v1/admin/keys/rewrap", { cursor, limit: options.limit });
    if (page.current !== before.current) throw new Error(`The current kid changed during the run (${before.current} → ${page.current}); run again.`);
    for (const k of ["processed", "rewrapped", "erased", "failed"] as const) totals[k] += page[k];
    visited += page.processed;
    cursor = page.cursor;
    if (cursor === null) rmSync(options.state, { force: true });
    else {
      mkdirSync(dirname(options.state), { recursive: true });
      writeFileSync(options.state, JSON.stringify({ url, current: before.current, cursor, totals } satisfies SavedPass));
    }
    console.log(`  ${totals.processed} visited: ${totals.rewrapped} rewrapped, ${totals.erased} erased (skipped), ${totals.failed} failed; about ${Math.max(0, toDo - visited)} to go`);
  }
  if (cursor !== null) {
    console.log(`Stopped after ${options.pages} page(s); run again to resume at ${cursor}.`);
    return 0;
  }
  const after = await call<KeyStatus>("GET", "/v1/admin/keys/status");
  console.log("Rewrap complete.");
  printStatus(after);
  const left = stale(after);
  if (!left.length) return 0;
  console.error(`Still under older kids: ${left.map(([kid, n]) => `${kid} ${n}`).join(", ")}. Keep those kids in DATA_ENCRYPTION_KEY and run \`npm run keys -- rewrap --restart\`.`);
  return 1;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err.message);
      process.exit(2);
    },
  );
}

// `npm run kb -- <command>`: the KB's command line, against LIBSQL_URL (default
// file:.data/kb.db, the real libSQL engine; LIBSQL_AUTH_TOKEN for Turso).
//   migrate                       apply migrations/kb
//   import <path> [--locale L] [--status draft|published] [--split train] [--dataset NAME]
//   export <file.jsonl | dir> [--format jsonl|md]
//   list [--locale L] [--status S] [--limit N]
//   stats
//   release <open --percent N | status | promote | rollback | pending>   (scripts/kb/release.ts;
//                                 through the admin API of a running Worker, like any operator)
// With KB_RELEASES on (the default) an import into a KB that has a stable version is staged:
// it reaches customers through a release.
import { createClient, type Client } from "@libsql/client/node";
import { drizzle } from "drizzle-orm/libsql/node";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { allArticles, importArticles, kbStats, listArticles, type KbDatabase } from "../src/kb/articles.ts";
import { ImportError } from "../src/kb/import/import-error.ts";
import * as schema from "../src/kb/schema.ts";
import { hasStable, stageImport } from "../src/kb/staging.ts";
import { exportJsonl, exportMarkdown } from "./kb/export.ts";
import { releaseCommand } from "./kb/release.ts";
import { progress } from "./kb/progress.ts";
import { readSource } from "./kb/source.ts";

export const MIGRATIONS = resolve(import.meta.dirname, "../migrations/kb");

/** Opens the KB named by LIBSQL_URL (creating the folder of a local file). */
export function openKb(url: string = process.env.LIBSQL_URL ?? "file:.data/kb.db", authToken: string | undefined = process.env.LIBSQL_AUTH_TOKEN): KbDatabase & { $client: Client } {
  if (url.startsWith("file:")) mkdirSync(dirname(resolve(url.slice(5))), { recursive: true });
  return drizzle(createClient({ url, authToken }), { schema }) as unknown as KbDatabase & { $client: Client };
}

export async function migrateKb(db: KbDatabase): Promise<void> {
  await migrate(db as Parameters<typeof migrate>[0], { migrationsFolder: MIGRATIONS });
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      locale: { type: "string" },
      status: { type: "string" },
      split: { type: "string" },
      dataset: { type: "string" },
      format: { type: "string" },
      limit: { type: "string", default: "100" },
      percent: { type: "string" },
      id: { type: "string" },
      "min-conversations": { type: "string" },
      alpha: { type: "string" },
      "max-minutes": { type: "string" },
      "no-auto-promote": { type: "boolean" },
      settings: { type: "boolean" },
    },
  });
  const [command, target] = positionals;
  if (command === "release") return releaseCommand(target, values);
  const db = openKb();
  switch (command) {
    case "migrate":
      await migrateKb(db);
      console.log("KB migrations applied.");
      return;
    case "import": {
      if (!target) throw new Error("usage: kb import <file or folder>");
      if (values.status && values.status !== "draft" && values.status !== "published") throw new Error("--status must be draft or published");
      const inputs = readSource(resolve(target), { locale: values.locale, status: values.status as "draft" | "published" | undefined, split: values.split, dataset: values.dataset }, progress("reading"));
      await migrateKb(db);
      if (process.env.KB_RELEASES !== "off" && (await hasStable(db))) {
        const result = await stageImport(db, inputs, Date.now());
        console.log(`Staged ${inputs.length} articles for the next release: ${result.created} new, ${result.updated} changed, ${result.unchanged} unchanged (\`npm run kb -- release open --percent N\`).`);
        return;
      }
      const result = await importArticles(db, inputs, Date.now(), progress("writing"));
      console.log(`Imported ${inputs.length} articles: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`);
      return;
    }
    case "export": {
      if (!target) throw new Error("usage: kb export <file.jsonl | folder> [--format jsonl|md]");
      const articles = await allArticles(db);
      const format = values.format ?? (target.endsWith(".jsonl") ? "jsonl" : "md");
      if (format === "jsonl") exportJsonl(articles, resolve(target));
      else if (format === "md") exportMarkdown(articles, resolve(target));
      else throw new Error("--format must be jsonl or md");
      console.log(`Exported ${articles.length} articles to ${target}.`);
      return;
    }
    case "list": {
      const rows = await listArticles(db, { locale: values.locale, status: values.status as "draft" | "published" | undefined, limit: Number(values.limit) });
      console.table(rows.map(({ id, status, version, questionCount, title }) => ({ id, status, version, questions: questionCount, title })));
      return;
    }
    case "stats":
      console.log(JSON.stringify(await kbStats(db), null, 2));
      return;
    default:
      throw new Error("usage: kb <migrate | import | export | list | stats | release> …");
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err instanceof ImportError ? `Import failed, nothing was changed. ${err.message}` : err.message);
    process.exit(1);
  });
}

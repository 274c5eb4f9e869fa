// Reads an import source (a file or a folder, recursively) into validated article inputs.
// Everything is parsed and checked before anything is written, and an article that appears
// twice is an error, so a bad source changes nothing.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, relative } from "node:path";
import { articleId, type ArticleInput } from "../../src/kb/article.ts";
import { parseArticleCsv, parseIntentCsv, parseIntentJson, parseJsonl, parseMarkdown, isIntentHeader, type ParseOptions } from "../../src/kb/import/formats.ts";
import { ImportError } from "../../src/kb/import/import-error.ts";

const LOCALE_DIR = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    // Hidden files and READMEs describe a folder; they are not articles.
    .filter((e) => !e.name.startsWith(".") && !/^readme\.md$/i.test(e.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => files(join(path, e.name)));
}

/** Parses one file by its extension (and, for CSV, its header). */
export function parseFile(file: string, options: ParseOptions, shown = file): ArticleInput[] {
  const text = readFileSync(file, "utf8");
  switch (extname(file).toLowerCase()) {
    case ".md": {
      // A Markdown file in a folder named like a locale (en/, zh-CN/) takes that locale.
      const folder = basename(dirname(file));
      return parseMarkdown(text, shown, LOCALE_DIR.test(folder) ? { ...options, locale: options.locale ?? folder } : options);
    }
    case ".csv":
      return isIntentHeader(text) ? parseIntentCsv(text, shown, options) : parseArticleCsv(text, shown, options);
    case ".jsonl":
      return parseJsonl(text, shown, options);
    case ".json":
      return parseIntentJson(text, shown, options);
    default:
      return [];
  }
}

/** Every article in a file or folder; throws the first ImportError. */
export function readSource(path: string, options: ParseOptions, onFile?: (done: number, total: number) => void): ArticleInput[] {
  const list = files(path);
  const seen = new Map<string, string>();
  const out: ArticleInput[] = [];
  list.forEach((file, i) => {
    const shown = relative(process.cwd(), file) || file;
    for (const input of parseFile(file, options, shown)) {
      const id = articleId(input.slug, input.locale);
      const first = seen.get(id);
      if (first) throw new ImportError(shown, 1, `article ${id} is also defined in ${first}`);
      seen.set(id, shown);
      out.push(input);
    }
    onFile?.(i + 1, list.length);
  });
  return out;
}

// Parsers for every import format. Each turns one file's text into article inputs or
// throws an ImportError naming the file and line; none of them writes anything.
//   Markdown with YAML front matter · article CSV · JSONL · intent CSV (text,label) ·
//   CLINC150-style JSON ({ train: [[text, label], …] })
import { parse as parseYaml } from "yaml";
import { ArticleInputSchema, type ArticleInput } from "../article.ts";
import { parseCsv } from "./csv.ts";
import { ImportError } from "./import-error.ts";

export interface ParseOptions {
  /** Locale for files that do not say (intent datasets; Markdown outside a locale folder). */
  locale?: string;
  /** Status for articles that do not say. */
  status?: "draft" | "published";
  /** Which split of a CLINC150-style JSON file to import. */
  split?: string;
  /** Name of the dataset, used as a tag for intent datasets. */
  dataset?: string;
}

/** Validates one article, reporting problems at `line` of `file`. */
function article(raw: Record<string, unknown>, file: string, line: number, options: ParseOptions): ArticleInput {
  const parsed = ArticleInputSchema.safeParse({ status: options.status ?? "published", ...raw });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ImportError(file, line, `${where}${issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message}`);
  }
  return parsed.data;
}

/** A Markdown article: YAML front matter between `---` lines, then the answer. */
export function parseMarkdown(text: string, file: string, options: ParseOptions = {}): ArticleInput[] {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new ImportError(file, 1, "expected YAML front matter between --- lines");
  let meta: unknown;
  try {
    meta = parseYaml(match[1]!);
  } catch (err) {
    const pos = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? 0;
    throw new ImportError(file, pos + 1, "front matter is not valid YAML");
  }
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) throw new ImportError(file, 2, "front matter must be a mapping");
  const fields = { ...(meta as Record<string, unknown>) };
  let body = match[2]!.trim();
  if (fields.title === undefined) {
    const heading = /^#\s+(\S.*)\n+/.exec(body);
    if (heading) {
      fields.title = heading[1]!.trim();
      body = body.slice(heading[0].length).trim();
    }
  }
  const name = file.split(/[\\/]/).pop()!.replace(/\.md$/i, "");
  return [article({ slug: name, ...(options.locale && { locale: options.locale }), ...fields, answer: body }, file, 1, options)];
}

const ARTICLE_COLUMNS = ["slug", "locale", "title", "answer", "questions", "tags", "status"];

/** An article CSV: a header with slug, locale, title, answer and optionally questions, tags, status. */
export function parseArticleCsv(text: string, file: string, options: ParseOptions = {}): ArticleInput[] {
  const [header, ...rows] = parseCsv(text, file);
  if (!header) return [];
  const columns = header.fields.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !ARTICLE_COLUMNS.includes(c));
  if (unknown.length) throw new ImportError(file, header.line, `unknown column(s) ${unknown.join(", ")}`);
  return rows.map(({ line, fields }) => {
    if (fields.length !== columns.length) throw new ImportError(file, line, `expected ${columns.length} fields, found ${fields.length}`);
    const raw: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const v = fields[i]!;
      if (c === "questions") raw.questions = v.split(/\r?\n|\s\|\s/).map((q) => q.trim()).filter(Boolean);
      else if (c === "tags") raw.tags = v.split(/[,|]/).map((t) => t.trim()).filter(Boolean);
      else if (v !== "") raw[c] = v;
    });
    return article(raw, file, line, options);
  });
}

/** JSON Lines: one article object per line; blank lines are skipped. */
export function parseJsonl(text: string, file: string, options: ParseOptions = {}): ArticleInput[] {
  const out: ArticleInput[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ImportError(file, i + 1, "not valid JSON");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new ImportError(file, i + 1, "each line must be a JSON object");
    out.push(article(value as Record<string, unknown>, file, i + 1, options));
  });
  return out;
}

/** Whether a CSV header is an intent dataset's (`text,label` or `text,category`). */
export function isIntentHeader(text: string): boolean {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0]!.trim().toLowerCase();
  return first === "text,label" || first === "text,category" || first === "text,intent";
}

/** An intent dataset as CSV: one article per label, its texts as example questions. */
export function parseIntentCsv(text: string, file: string, options: ParseOptions = {}): ArticleInput[] {
  const [, ...rows] = parseCsv(text, file);
  const pairs = rows.map(({ line, fields }) => {
    if (fields.length !== 2 || !fields[0]!.trim() || !fields[1]!.trim()) throw new ImportError(file, line, "expected two non-empty fields: text,label");
    return { text: fields[0]!, label: fields[1]!, line };
  });
  return intentArticles(pairs, file, options);
}

/** A CLINC150-style JSON file: `{ "<split>": [[text, label], …] }`. */
export function parseIntentJson(text: string, file: string, options: ParseOptions = {}): ArticleInput[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError(file, 1, "not valid JSON");
  }
  const split = options.split ?? "train";
  const rows = (data as Record<string, unknown> | null)?.[split];
  if (!Array.isArray(rows)) throw new ImportError(file, 1, `no "${split}" split (an array of [text, label] pairs)`);
  const pairs = rows.map((pair, i) => {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") throw new ImportError(file, 1, `${split}[${i}] is not a [text, label] pair`);
    return { text: pair[0], label: pair[1], line: 1 };
  });
  return intentArticles(pairs, file, options);
}

/** FNV-1a over UTF-16 code units, as 7 base-36 digits: a short, stable name for any text. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36).padStart(7, "0");
}

/**
 * The slug of the article an intent label becomes. ASCII labels keep their words
 * (`card_arrival`); a label in another script (`买家咨询退换货规则`) gets a short hash of
 * itself, after whatever ASCII words it has (`intent-0x7k2m9q`, `vip-1a2b3c4`), so that the
 * same label always maps to the same article, in the import and in the eval alike.
 */
export function intentSlug(label: string): string {
  const name = label.normalize("NFKC").trim();
  const ascii = name.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  if (/^[\x20-\x7e]*$/.test(name) && ascii) return ascii.slice(0, 100);
  const words = ascii.replace(/(?<!-)-+$/, "").slice(0, 80).replace(/(?<!-)-+$/, "");
  return `${words || "intent"}-${shortHash(name)}`;
}

/** Whether most texts are Chinese: intent data without a `--locale` is then zh-CN. */
const mostlyChinese = (texts: string[]) => texts.filter((t) => /\p{Script=Han}/u.test(t)).length * 2 > texts.length;

function intentArticles(pairs: Array<{ text: string; label: string; line: number }>, file: string, options: ParseOptions): ArticleInput[] {
  const groups = new Map<string, { line: number; texts: string[] }>();
  for (const { text, label, line } of pairs) {
    const group = groups.get(label) ?? { line, texts: [] };
    if (!group.texts.includes(text.trim())) group.texts.push(text.trim());
    groups.set(label, group);
  }
  const dataset = options.dataset ?? file.split(/[\\/]/).slice(-2, -1)[0] ?? "intents";
  const locale = options.locale ?? (mostlyChinese(pairs.map((p) => p.text)) ? "zh-CN" : "en");
  const slugs = new Map<string, string>();
  return [...groups].map(([label, { line, texts }]) => {
    const slug = intentSlug(label);
    const other = slugs.get(slug);
    if (other !== undefined) throw new ImportError(file, line, `labels "${other}" and "${label}" both become the slug ${slug}`);
    slugs.set(slug, label);
    // A label in words of its own script is its title, so its words count as training data.
    const readable = /^[\x20-\x7e]*$/.test(label) ? label.replace(/[_-]+/g, " ").trim() : label.trim();
    const han = /\p{Script=Han}/u.test(readable);
    return article(
      {
        slug,
        locale,
        title: readable.charAt(0).toUpperCase() + readable.slice(1),
        answer: han ? `“${readable}”意图的答案（${dataset}）。` : `Answer for the “${readable}” intent (${dataset}).`,
        questions: texts,
        tags: [dataset, "intent"],
      },
      file,
      line,
      options,
    );
  });
}

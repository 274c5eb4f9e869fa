// Writes articles out as JSONL (one file) or as Markdown (a folder per locale), both of
// which `kb import` reads back unchanged.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Article } from "../../src/kb/article.ts";

export function exportJsonl(articles: Article[], file: string): void {
  const lines = articles.map(({ slug, locale, title, answer, questions, tags, status }) => JSON.stringify({ slug, locale, title, answer, questions, tags, status }));
  writeFileSync(file, lines.join("\n") + (lines.length ? "\n" : ""));
}

export function exportMarkdown(articles: Article[], dir: string): void {
  for (const a of articles) {
    mkdirSync(join(dir, a.locale), { recursive: true });
    const front = stringify({ slug: a.slug, title: a.title, status: a.status, tags: a.tags, questions: a.questions }).trimEnd();
    writeFileSync(join(dir, a.locale, `${a.slug}.md`), `---\n${front}\n---\n${a.answer}\n`);
  }
}

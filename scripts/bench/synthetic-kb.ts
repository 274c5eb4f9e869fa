// A synthetic KB of any size for the benchmark, built from real customer-service sentences
// (BANKING77 and CLINC150 training questions, the demo KB's answers) so that token
// frequencies and posting-list lengths look like a real KB's. Deterministic for a seed.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ArticleInput } from "../../src/kb/article.ts";
import { parseCsv } from "../../src/kb/import/csv.ts";
import { seededRandom } from "../../src/kb/model/classifier.ts";
import { DEMO_KB, ROOT } from "../stack.ts";
import { readSource } from "../kb/source.ts";

const DATA = resolve(ROOT, "data");


function trainQuestions(): string[] {
  const banking = parseCsv(readFileSync(resolve(DATA, "banking77/train.csv"), "utf8"), "banking77").slice(1).map((r) => r.fields[0]!);
  const clinc = (JSON.parse(readFileSync(resolve(DATA, "clinc150/data_full.json"), "utf8")) as { train: [string, string][] }).train.map(([t]) => t);
  return [...banking, ...clinc];
}

/** Held-out queries (test splits), for timing searches. */
export function testQueries(count: number, seed = 7): string[] {
  const banking = parseCsv(readFileSync(resolve(DATA, "banking77/test.csv"), "utf8"), "banking77").slice(1).map((r) => r.fields[0]!);
  const clinc = (JSON.parse(readFileSync(resolve(DATA, "clinc150/data_full.json"), "utf8")) as { test: [string, string][] }).test.map(([t]) => t);
  const pool = [...banking, ...clinc];
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => pool[Math.floor(rand() * pool.length)]!);
}

export function syntheticArticles(count: number, seed = 1): ArticleInput[] {
  const questions = trainQuestions();
  const sentences = readSource(DEMO_KB, {})
    .filter((a) => a.locale === "en")
    .flatMap((a) => a.answer.split(/(?<=\.)\s+/));
  const rand = seededRandom(seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  return Array.from({ length: count }, (_, i) => ({
    slug: `syn-${i}`,
    locale: "en",
    title: pick(questions).replace(/[?.!]+$/, ""),
    answer: [pick(sentences), pick(sentences), pick(sentences)].join(" "),
    questions: [pick(questions), pick(questions), pick(questions), pick(questions)],
    tags: ["synthetic"],
    status: "published" as const,
  }));
}

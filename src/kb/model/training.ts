// What a language's classifier learns from: each live article is a class, and its title and
// example questions are the examples.
import type { Example } from "./classifier.ts";

export interface TrainingArticle {
  id: string;
  title: string;
  questions: string[];
  answer: string;
}

/** The answer's sentences, Markdown stripped: they carry the words customers use too. */
function sentences(answer: string): string[] {
  return answer
    .replace(/[*_`#>[\]()]/g, " ")
    .split(/(?<=[.!?。！？；;])\s*/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 3);
}

export interface TrainingSet {
  classes: string[];
  examples: Example[];
  /** Which examples are example questions (what customers' messages look like). */
  isQuestion: boolean[];
}

export function trainingSet(articles: TrainingArticle[]): TrainingSet {
  const classes = articles.map((a) => a.id);
  const examples: Example[] = [];
  const isQuestion: boolean[] = [];
  articles.forEach((a, label) => {
    for (const text of a.questions) {
      examples.push({ text, label });
      isQuestion.push(true);
    }
    for (const text of [a.title, ...sentences(a.answer)]) {
      examples.push({ text, label });
      isQuestion.push(false);
    }
  });
  return { classes, examples, isQuestion };
}

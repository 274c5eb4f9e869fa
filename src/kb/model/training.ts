// What a language's classifier learns from: each live article is a class, and its title and
// example questions are the examples.
import type { Example } from "./classifier.ts";

export interface TrainingArticle {
  id: string;
  title: string;
  questions: string[];
}

export function trainingSet(articles: TrainingArticle[]): { classes: string[]; examples: Example[] } {
  const classes = articles.map((a) => a.id);
  const examples = articles.flatMap((a, label) => [a.title, ...a.questions].map((text) => ({ text, label })));
  return { classes, examples };
}

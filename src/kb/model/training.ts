// What a language's classifier learns from: each live article is a class, and its title,
// example questions and answer sentences are the examples. The title weighs more: it is
// what the article is about, in a few words, and what a clarification's quick reply sends.
// Questions learned from customers' confirmations weigh less than authored ones.
import type { Example } from "./classifier.ts";

export interface TrainingArticle {
  id: string;
  title: string;
  questions: string[];
  answer: string;
  /** Active learned questions (src/kb/learning): customers' own wordings, confirmed by others. */
  learned?: string[];
}

/** How much more a mistake on an article's title costs than one on another example. */
export const TITLE_WEIGHT = 3;

/**
 * A learned question weighs less than an authored one: an editor wrote the one, customers'
 * confirmations vouch for the other, and a few of those may be wrong.
 */
export const LEARNED_WEIGHT = 0.5;

/** The answer's sentences, Markdown stripped: they carry the words customers use too. */
export function sentences(answer: string): string[] {
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
  /** Which examples are titles (what a customer asking in the article's own words types). */
  isTitle: boolean[];
  /** Which examples are learned questions: trained on, never held out (see crossValidate). */
  isLearned: boolean[];
}

export function trainingSet(articles: TrainingArticle[]): TrainingSet {
  const classes = articles.map((a) => a.id);
  const examples: Example[] = [];
  const isQuestion: boolean[] = [];
  const isTitle: boolean[] = [];
  const isLearned: boolean[] = [];
  const add = (example: Example, question: boolean, title: boolean, learned = false) => {
    examples.push(example);
    isQuestion.push(question);
    isTitle.push(title);
    isLearned.push(learned);
  };
  articles.forEach((a, label) => {
    for (const text of a.questions) add({ text, label }, true, false);
    for (const text of a.learned ?? []) add({ text, label, weight: LEARNED_WEIGHT }, true, false, true);
    add({ text: a.title, label, weight: TITLE_WEIGHT }, false, true);
    for (const text of sentences(a.answer)) add({ text, label }, false, false);
  });
  return { classes, examples, isQuestion, isTitle, isLearned };
}

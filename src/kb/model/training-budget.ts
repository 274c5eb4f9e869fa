// What a replica trains on stays bounded however much it learns. Learned questions pile up
// for popular articles (every confirmed wording stays active), and training costs about
// examples × articles (one-vs-rest): CLINC150, 15,000 examples × 150 articles, takes 42 s
// in Node to import, sync and train, against a Durable Object's CPU limit (docs/scaling.md).
// Each article keeps its newest learned questions up to a cap; a KB still over the budget
// keeps at most as many example questions per article as fit, its authored ones first.
// Nothing is deleted: the primary keeps every learned question, and the exact-question
// index (exact-match.ts) is built from all of them.
import { sentences, type TrainingArticle } from "./training.ts";

/** Learned questions per article a classifier trains on: the newest. */
export const MAX_LEARNED_PER_ARTICLE = 100;
/**
 * Examples × articles a language's training may cost (CLINC150's is 2.25 million): a bound on
 * CPU. Memory grows more slowly (CLINC150 retrains in about 63 MB: docs/scaling.md).
 */
export const MAX_TRAINING_COST = 4_000_000;

export interface BoundedTraining {
  articles: TrainingArticle[];
  /** Left out of training: learned questions, and authored example questions. */
  dropped: { learned: number; questions: number };
}

/** The articles to train on within the budget; `articles` unchanged when they fit (learned questions oldest first, as the replica stores them). */
export function boundTraining(articles: TrainingArticle[], budget = MAX_TRAINING_COST, maxLearned = MAX_LEARNED_PER_ARTICLE): BoundedTraining {
  const dropped = { learned: 0, questions: 0 };
  const capped = articles.map((a) => {
    const learned = a.learned ?? [];
    if (learned.length <= maxLearned) return a;
    dropped.learned += learned.length - maxLearned;
    return { ...a, learned: learned.slice(-maxLearned) };
  });
  // The title and the answer's sentences are always trained on; example questions fill the rest.
  const fixed = capped.map((a) => 1 + sentences(a.answer).length);
  const asked = capped.map((a) => a.questions.length + (a.learned?.length ?? 0));
  const cost = (perArticle: number) => capped.length * capped.reduce((n, _a, i) => n + fixed[i]! + Math.min(asked[i]!, perArticle), 0);
  const most = Math.max(0, ...asked);
  if (cost(most) <= budget) return { articles: capped, dropped };
  // The most example questions per article that fit (at least one).
  let low = 1;
  for (let high = most; low < high; ) {
    const mid = Math.ceil((low + high) / 2);
    if (cost(mid) <= budget) low = mid;
    else high = mid - 1;
  }
  const bounded = capped.map((a) => {
    const questions = a.questions.slice(0, low);
    const room = low - questions.length;
    const kept = room > 0 ? (a.learned ?? []).slice(-room) : [];
    dropped.questions += a.questions.length - questions.length;
    dropped.learned += (a.learned?.length ?? 0) - kept.length;
    return { ...a, questions, learned: kept };
  });
  return { articles: bounded, dropped };
}

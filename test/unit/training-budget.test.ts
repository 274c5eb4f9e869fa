// What a replica trains on stays bounded however much it learns (src/kb/model/training-budget.ts):
// the newest learned questions per article up to a cap, then as many example questions per
// article as the cost budget allows, authored ones first; a KB within both is left as it is.
import { describe, expect, it } from "vitest";
import { boundTraining, MAX_LEARNED_PER_ARTICLE } from "../../src/kb/model/training-budget.ts";
import { trainingSet, type TrainingArticle } from "../../src/kb/model/training.ts";

const article = (id: string, questions: number, learned: number): TrainingArticle => ({
  id,
  title: `Title ${id}`,
  answer: "One sentence here. Another one there.",
  questions: Array.from({ length: questions }, (_, i) => `${id} authored ${i}`),
  learned: Array.from({ length: learned }, (_, i) => `${id} learned ${i}`),
});
const cost = (articles: TrainingArticle[]) => trainingSet(articles).examples.length * articles.length;

describe("the training budget", () => {
  it("leaves a KB within the cap and the budget as it is", () => {
    const kb = [article("a", 5, 3), article("b", 2, 0)];
    const bounded = boundTraining(kb);
    expect(bounded.articles).toEqual(kb);
    expect(bounded.dropped).toEqual({ learned: 0, questions: 0 });
  });

  it("trains on an article's newest learned questions up to the cap (the replica stores them oldest first)", () => {
    const kb = [article("a", 3, MAX_LEARNED_PER_ARTICLE + 40), article("b", 3, 10)];
    const bounded = boundTraining(kb);
    expect(bounded.articles[0]!.learned).toHaveLength(MAX_LEARNED_PER_ARTICLE);
    expect(bounded.articles[0]!.learned![0]).toBe("a learned 40");
    expect(bounded.articles[0]!.learned!.at(-1)).toBe(`a learned ${MAX_LEARNED_PER_ARTICLE + 39}`);
    expect(bounded.articles[0]!.questions).toEqual(kb[0]!.questions);
    expect(bounded.articles[1]).toBe(kb[1]);
    expect(bounded.dropped).toEqual({ learned: 40, questions: 0 });
  });

  it("keeps a KB over the cost budget within it: as many example questions per article as fit, authored before learned", () => {
    const kb = [article("a", 30, 50), article("b", 10, 5), article("c", 200, 0)];
    const budget = 3 * 60;
    expect(cost(kb)).toBeGreaterThan(budget);
    const { articles, dropped } = boundTraining(kb, budget);
    expect(cost(articles)).toBeLessThanOrEqual(budget);
    // Title and answer (3 examples each) always; then at most 18 questions each: 3 × (9 + 18 + 15 + 18) = 180.
    const kept = articles.map((a) => a.questions.length + a.learned!.length);
    expect(kept).toEqual([18, 15, 18]);
    expect(articles[0]!.questions).toEqual(kb[0]!.questions.slice(0, 18));
    expect(articles[0]!.learned).toEqual([]);
    // An article with few authored questions fills up with its newest learned ones.
    expect(articles[1]!.questions).toEqual(kb[1]!.questions);
    expect(articles[1]!.learned).toEqual(kb[1]!.learned);
    expect(dropped).toEqual({ learned: 50, questions: 12 + 182 });
    // The most that fit: one more each would cross the budget.
    expect(cost(boundTraining(kb, budget + 3 * 3).articles)).toBeGreaterThan(cost(articles));
  });

  it("is deterministic", () => {
    const kb = Array.from({ length: 20 }, (_, i) => article(`x${i}`, 40, 150));
    expect(boundTraining(kb, 20_000)).toEqual(boundTraining(kb, 20_000));
  });
});

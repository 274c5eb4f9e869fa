// Example questions filed under the wrong article weigh less in training (label-check.ts).
import { describe, expect, it } from "vitest";
import { checkLabels, CHECKED_FROM, labelGaps, SUSPECT_WEIGHT } from "../../src/kb/model/label-check.ts";
import { trainingSet, type TrainingArticle } from "../../src/kb/model/training.ts";

const TOPICS = [
  { id: "refund", title: "Refunds", words: ["refund", "money back", "reimbursed", "refunded payment"] },
  { id: "track", title: "Tracking an order", words: ["parcel", "package", "delivery", "tracking number"] },
  { id: "password", title: "Resetting a password", words: ["password", "log in", "sign in", "reset link"] },
  { id: "address", title: "Changing the address", words: ["address", "postcode", "street name", "shipping address"] },
];
const FRAMES = ["where is my {}", "question about my {}", "help with the {} please", "I have a problem with my {}", "what about the {}", "can you check my {}"];

/** `perArticle` example questions per article, every one built from its own topic's words. */
function articles(perArticle: number): TrainingArticle[] {
  return TOPICS.map((t) => ({
    id: t.id,
    title: t.title,
    answer: `All about ${t.words[0]}.`,
    questions: Array.from({ length: perArticle }, (_, i) => `${FRAMES[i % FRAMES.length]!.replace("{}", t.words[i % t.words.length]!)} ${i}`),
  }));
}

/** Moves question `i` of article `from` to article `to`. */
function misfile(list: TrainingArticle[], from: number, i: number, to: number): string {
  const [moved] = list[from]!.questions.splice(i, 1);
  list[to]!.questions.push(moved!);
  return moved!;
}

describe("checking a KB's labels", () => {
  it("finds the questions filed under the wrong article and weighs them less", () => {
    const list = articles(CHECKED_FROM + 5);
    const misfiled = [misfile(list, 0, 3, 1), misfile(list, 2, 7, 3), misfile(list, 3, 1, 0)];
    const checked = checkLabels(trainingSet(list));
    const suspects = checked.set.examples.filter((e) => e.weight === SUSPECT_WEIGHT).map((e) => e.text);
    expect(suspects.sort()).toEqual(misfiled.sort());
    expect(checked.suspects).toBe(3);
    // Titles and answers are never suspects; nothing else changes.
    expect(checked.set.examples.map((e) => [e.text, e.label])).toEqual(trainingSet(list).examples.map((e) => [e.text, e.label]));
  });

  it("puts a question nearer its own article than any other when it is filed right", () => {
    const set = trainingSet(articles(CHECKED_FROM));
    const gaps = labelGaps(set.examples, set.classes.length, (i) => set.isQuestion[i]!);
    set.examples.forEach((_, i) => (set.isQuestion[i] ? expect(gaps[i]!).toBeLessThan(0) : expect(gaps[i]).toBe(0)));
  });

  it("leaves a KB with few questions per article alone: a varied question is not a misfiled one", () => {
    const list = articles(CHECKED_FROM - 1);
    misfile(list, 0, 3, 1);
    const checked = checkLabels(trainingSet(list));
    expect(checked.suspects).toBe(0);
    expect(checked.set).toEqual(trainingSet(list));
  });
});

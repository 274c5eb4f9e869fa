// Held-out points for a KB's threshold fit, with questions learned from customers: those are
// the questions the KB already answered or offered rightly, so they train every fold and are
// never held out as in-scope questions (held out, they would hide the mistakes the budget counts).
import { describe, expect, it } from "vitest";
import { crossValidate } from "../../src/kb/model/cross-validation.ts";
import { trainingSet } from "../../src/kb/model/training.ts";
import { readSource } from "../../scripts/kb/source.ts";

describe("cross-validation with learned questions", () => {
  const authored = readSource("kb/demo/en", {})
    .slice(0, 12)
    .map((a) => ({ id: a.slug, title: a.title, questions: a.questions, answer: a.answer }));
  // Customers' own wordings, confirmed: two per article.
  const withLearned = authored.map((a) => ({ ...a, learned: a.questions.slice(0, 2).map((q) => `hi there, ${q.toLowerCase()} thanks`) }));

  it("scores only authored questions and titles in scope, and learned ones of left-out articles as unanswerable", async () => {
    const [before, after] = [await crossValidate(trainingSet(authored), { language: "en" }), await crossValidate(trainingSet(withLearned), { language: "en" })];
    const count = (points: typeof before.points, kind: string) => points.filter((p) => p.kind === kind).length;
    expect(after.folds).toBe(before.folds);
    // The same authored texts are held out in the same folds…
    expect(count(after.points, "in")).toBe(count(before.points, "in"));
    // …the learned questions of each fold's left-out articles are questions it cannot answer…
    expect(count(after.points, "left_out")).toBeGreaterThan(count(before.points, "left_out"));
    // …and the learned questions trained every fold's model, which scores them differently.
    expect(after.points.filter((p) => p.kind === "in")).not.toEqual(before.points.filter((p) => p.kind === "in"));
  }, 60_000);
});

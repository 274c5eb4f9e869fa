// Training's compact feature rows (feature-rows.ts) give exactly the vectors a question gets
// at answer time, and class sums as a plain sum would.
import { describe, expect, it } from "vitest";
import { vectorize } from "../../src/kb/model/classifier.ts";
import { classSums, countFeatures, tfidfRows } from "../../src/kb/model/feature-rows.ts";
import { features } from "../../src/kb/model/features.ts";

const TEXTS = ["Where is my parcel?", "Has my package shipped yet", "退款几天到账", "refund refund refund 退款", "Can't log in to my account", "x"];

describe("feature rows", () => {
  it("counts each text's features as features() does, one id per distinct feature", () => {
    const counted = countFeatures(TEXTS);
    TEXTS.forEach((text, t) => {
      const ids = counted.rows.idx.subarray(counted.rows.start[t]!, counted.rows.start[t + 1]!);
      const counts = counted.rows.val.subarray(counted.rows.start[t]!, counted.rows.start[t + 1]!);
      const names = [...counted.ids.keys()];
      expect(new Map([...ids].map((id, k) => [names[id]!, counts[k]!]))).toEqual(features(text));
    });
    const all = new Set(TEXTS.flatMap((t) => [...features(t).keys()]));
    expect(counted.ids.size).toBe(all.size);
    for (const [f, id] of counted.ids) expect(counted.df[id]).toBe(TEXTS.filter((t) => features(t).has(f)).length);
  });

  it("weighs rows exactly as vectorize weighs a question, leaving out what the vocabulary does not have", () => {
    const counted = countFeatures(TEXTS);
    // A vocabulary of every other feature, in reverse order, with made-up idf.
    const kept = [...counted.ids.keys()].filter((_, i) => i % 2 === 0).reverse();
    const vocab = new Map(kept.map((f, i) => [f, i]));
    const idf = Float32Array.from(kept, (_, i) => 1 + i / 7);
    const id = new Int32Array(counted.df.length);
    for (const [f, i] of counted.ids) id[i] = vocab.get(f) ?? -1;
    const rows = tfidfRows(counted.rows, id, idf);
    TEXTS.forEach((text, t) => {
      const expected = vectorize({ vocab, idf }, text);
      expect(rows.idx.subarray(rows.start[t]!, rows.start[t + 1]!)).toEqual(expected.idx);
      expect(rows.val.subarray(rows.start[t]!, rows.start[t + 1]!)).toEqual(expected.val);
    });
  });

  it("sums each class's weighted rows feature-major, as a plain sum does", () => {
    const rows = { start: Int32Array.from([0, 2, 3, 5]), idx: Int32Array.from([0, 2, 2, 1, 2]), val: Float32Array.from([0.5, 0.25, 1, 0.75, 2]) };
    const sums = classSums(rows, [1, 1, 0], [1, 3, 2], 2, 4);
    // Class 0: row 2 × 2 → f1 1.5, f2 4; class 1: row 0 + 3 × row 1 → f0 0.5, f2 3.25.
    const entries = (f: number) => [...sums.classes.subarray(sums.start[f]!, sums.start[f + 1]!)].map((c, k) => [c, sums.values[sums.start[f]! + k]]);
    expect([0, 1, 2, 3].map(entries)).toEqual([[[1, 0.5]], [[0, 1.5]], [[0, 4], [1, 3.25]], []]);
    expect([...sums.squared]).toEqual([1.5 ** 2 + 4 ** 2, 0.5 ** 2 + 3.25 ** 2]);
    // A row that weighs nothing still lists its features, once each.
    const weightless = classSums(rows, [1, 1, 0], [1, 3, 0], 2, 4);
    expect([...weightless.classes]).toEqual([1, 0, 0, 1]);
  });
});

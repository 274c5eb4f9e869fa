import { describe, expect, it } from "vitest";
import { similarities } from "../../src/kb/model/centroids.ts";
import { decisionValues, decodeModel, encodeModel, trainClassifier, trainWithCentroids, vectorize } from "../../src/kb/model/classifier.ts";
import { features } from "../../src/kb/model/features.ts";
import { trainingSet } from "../../src/kb/model/training.ts";

const articles = [
  { id: "refund", title: "How long does a refund take?", questions: ["When will I get my money back?", "Refund still not in my account", "How many days for the refund?"], answer: "Refunds arrive in 5-10 business days." },
  { id: "track", title: "How do I track my order?", questions: ["Where is my parcel?", "Has my package shipped?", "Tracking number please"], answer: "Open Orders to see tracking." },
  { id: "password", title: "How do I reset my password?", questions: ["I forgot my password", "Can't log in", "Password reset email"], answer: "Use Forgot password." },
  { id: "退款", title: "退款需要多长时间？", questions: ["钱什么时候能退回来", "退款几天到账"], answer: "退款会在 5-10 个工作日内到账。" },
];

describe("classifier", () => {
  it("extracts word, word-pair, character and Han n-gram features", () => {
    const f = features("Refunds 退款");
    expect([...f.keys()]).toEqual(expect.arrayContaining(["w:refund", "c: ref", "h:退", "h:退款"]));
  });

  it("learns each article from its title, questions and answer, and ranks the right one first for new wording", async () => {
    const set = trainingSet(articles);
    const model = (await trainClassifier(set.classes, set.examples))!;
    const best = (text: string) => {
      const values = decisionValues(model, vectorize(model, text));
      return model.classes[values.indexOf(Math.max(...values))];
    };
    expect(best("my money hasn't come back yet")).toBe("refund");
    expect(best("where's my parcel now")).toBe("track");
    expect(best("I can't remember my password")).toBe("password");
    expect(best("钱多久能退回来")).toBe("退款");
  });

  it("is deterministic and survives encoding", async () => {
    const set = trainingSet(articles);
    const a = (await trainClassifier(set.classes, set.examples))!;
    const b = (await trainClassifier(set.classes, set.examples))!;
    expect(a.weights).toEqual(b.weights);
    const decoded = decodeModel(encodeModel(a));
    expect(decoded.classes).toEqual(a.classes);
    expect(decisionValues(decoded, vectorize(decoded, "refund please"))).toEqual(decisionValues(a, vectorize(a, "refund please")));
  });

  it("is stored in 16 bits and read in place: the loaded model's arrays are views into the bytes", async () => {
    const set = trainingSet(articles);
    const model = (await trainClassifier(set.classes, set.examples))!;
    expect(model.weights).toBeInstanceOf(Int16Array);
    expect(model.scale).toHaveLength(articles.length);
    const bytes = encodeModel(model);
    expect(bytes.byteLength % 4).toBe(0);
    const loaded = decodeModel(bytes);
    for (const array of [loaded.idf, loaded.scale, loaded.weights]) expect(array.buffer).toBe(bytes.buffer);
    expect(loaded.weights).toEqual(model.weights);
    // Bytes that do not start on a whole word (inside a larger buffer) are copied instead.
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const copied = decodeModel(shifted.subarray(1));
    expect(copied.weights.buffer).not.toBe(shifted.buffer);
    expect(decisionValues(copied, vectorize(copied, "refund please"))).toEqual(decisionValues(model, vectorize(model, "refund please")));
  });

  it("loads a model stored in float32 before 16 bits, with the same decisions", async () => {
    const set = trainingSet(articles);
    const model = (await trainClassifier(set.classes, set.examples))!;
    const c = model.classes.length;
    const header = new TextEncoder().encode(JSON.stringify({ classes: model.classes, vocab: [...model.vocab.keys()] }));
    const floats = Float32Array.from(model.weights, (q, i) => q * model.scale[i % c]!);
    const legacy = new Uint8Array(4 + header.byteLength + model.idf.byteLength + floats.byteLength);
    new DataView(legacy.buffer).setUint32(0, header.byteLength, true);
    legacy.set(header, 4);
    legacy.set(new Uint8Array(model.idf.buffer, model.idf.byteOffset, model.idf.byteLength), 4 + header.byteLength);
    legacy.set(new Uint8Array(floats.buffer), 4 + header.byteLength + model.idf.byteLength);
    const loaded = decodeModel(legacy);
    for (const text of ["refund please", "where is my parcel", "退款"]) {
      const expected = decisionValues(model, vectorize(model, text));
      decisionValues(loaded, vectorize(loaded, text)).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 4));
    }
  });

  it("builds each article's centroid from the training rows: the normalised, weighted sum of its questions' vectors", async () => {
    const set = trainingSet(articles);
    const examples = set.examples.map((e, i) => ({ ...e, weight: i % 3 === 0 ? 0.5 : 1 }));
    const { classifier, centroids } = (await trainWithCentroids(set.classes, examples))!;
    expect(classifier).toEqual(await trainClassifier(set.classes, examples));
    const sums = set.classes.map(() => new Map<number, number>());
    for (const e of examples) {
      const x = vectorize(classifier, e.text);
      x.idx.forEach((f, k) => sums[e.label]!.set(f, (sums[e.label]!.get(f) ?? 0) + (e.weight ?? 1) * x.val[k]!));
    }
    for (const text of ["refund please", "where is my parcel", "退款几天"]) {
      const x = vectorize(classifier, text);
      const expected = sums.map((sum) => {
        const norm = Math.sqrt([...sum.values()].reduce((a, v) => a + v * v, 0));
        return [...x.idx].reduce((a, f, k) => a + ((sum.get(f) ?? 0) / norm) * x.val[k]!, 0);
      });
      similarities(centroids, x).forEach((v, c) => expect(v).toBeCloseTo(expected[c]!, 5));
    }
  });

  it("has nothing to learn from fewer than two classes, or from too many", async () => {
    expect(await trainClassifier(["only"], [{ text: "hi", label: 0 }])).toBeNull();
    const set = trainingSet(articles);
    expect(await trainClassifier(set.classes, set.examples, { maxClasses: 2 })).toBeNull();
  });

  it("pauses between classes so that a Durable Object stays responsive", async () => {
    let pauses = 0;
    const set = trainingSet(articles);
    await trainClassifier(set.classes, set.examples, { pause: async () => void pauses++ });
    expect(pauses).toBe(articles.length);
  });
});

// A replica's training stays small enough for a Durable Object's 128 MB (docs/scaling.md): the
// real engine over libSQL trains clinc150-small with 50 example questions per article (60
// articles, 3,000 questions), sampled like `npm run eval -- --memory` (live heap plus array
// buffers after a full collection, at each pause of the training). Counting every example's
// features into a Map of its own, as training did before, held 38 MB at its peak here; BANKING77
// ran out of a 128 MB heap that way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../scripts/eval/datasets.ts";
import { MemorySampler } from "../../scripts/eval/memory.ts";
import { buildReplica, type EvalReplica } from "../../scripts/eval/replica.ts";

let replica: EvalReplica;
let memory: MemorySampler;

beforeAll(async () => {
  memory = new MemorySampler();
  replica = await buildReplica(loadDataset("clinc150-small", {}, { examples: 50 }).train, { pause: memory.pause });
}, 120_000);

afterAll(() => replica.close());

describe("training memory", () => {
  it("peaks well below what the old training held, and leaves a model of about half of float32's size", () => {
    expect(replica.tunings.en).not.toBeNull();
    // 20 MB measured (2026-12-07); the bound leaves room for another V8, not for a Map per example again.
    expect(memory.peak()).toBeLessThan(30);
    expect(memory.now()).toBeLessThan(16);
  });
});

import { describe, expect, it } from "vitest";
import { SerialQueue } from "../../src/conversation/serial-queue.ts";

describe("serial queue", () => {
  it("runs jobs one at a time in arrival order even when later jobs are faster", async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([queue.run(job("a", 30)), queue.run(job("b", 1)), queue.run(job("c", 10))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(queue.pending).toBe(0);
  });

  it("keeps going after a job fails", async () => {
    const queue = new SerialQueue();
    const failed = queue.run(async () => {
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    expect(await queue.run(async () => "next")).toBe("next");
  });
});

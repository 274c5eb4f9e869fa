// ANSWER_MAX_WRONG: the error budget the replica's threshold fit aims at.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.ts";

describe("ANSWER_MAX_WRONG", () => {
  it.each<[string | undefined, number]>([
    [undefined, 0.03],
    ["0.05", 0.05],
    ["0.005", 0.005],
    ["", 0.03],
    ["0", 0.03],
    ["1", 0.03],
    ["3%", 0.03],
    ["-0.1", 0.03],
  ])("%s reads as %f", (raw, share) => {
    expect(readConfig(raw === undefined ? {} : { ANSWER_MAX_WRONG: raw }).answerMaxWrong).toBe(share);
  });
});

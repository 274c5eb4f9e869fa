import { describe, expect, it } from "vitest";
import { resolutionOf } from "../../src/ops/events.ts";
import { endDue, endFields, onAgentReply, onBotReply, onCustomerMessage, onFeedback, onHandoff, startOutcome, type Outcome } from "../../src/ops/outcome.ts";

const MIN = 60_000;
const WINDOW = 30 * MIN;
const T = Date.UTC(2026, 0, 5, 12, 0, 0);

type Step = ["question" | "thanks" | "human", number] | ["answer" | "clarify", number] | ["helpful" | "not_helpful"] | ["handoff"] | ["agent"];

/** Plays a conversation: customer messages, bot replies, feedback, handoff, agent reply. */
function play(steps: Step[]): Outcome {
  let o = startOutcome(T);
  for (const step of steps) {
    const [what] = step;
    if (what === "question" || what === "thanks" || what === "human") o = onCustomerMessage(o, what, T + step[1]!, WINDOW);
    else if (what === "answer" || what === "clarify") o = onBotReply(o, { decision: what, mode: "normal", kbVersion: 3, at: T + step[1]! });
    else if (what === "helpful" || what === "not_helpful") o = onFeedback(o, what === "helpful");
    else if (what === "handoff") o = onHandoff(o);
    else o = onAgentReply(o);
  }
  return o;
}

describe("a conversation's outcome (fake clock)", () => {
  it.each<[string, Step[], string]>([
    ["answered and confirmed helpful", [["question", 0], ["answer", 1_000], ["helpful"]], "ai_confirmed"],
    ["answered, thanked and left", [["question", 0], ["answer", 1_000], ["thanks", 2 * MIN]], "ai_assumed"],
    ["answered, then a follow-up answered too", [["question", 0], ["answer", 1_000], ["question", MIN], ["answer", MIN + 1_000]], "ai_assumed"],
    ["answered, then asked more within the window, and not answered", [["question", 0], ["answer", 1_000], ["question", 5 * MIN], ["clarify", 5 * MIN + 1_000]], "unresolved"],
    ["answered, and back with another question after the window", [["question", 0], ["answer", 1_000], ["question", 40 * MIN], ["clarify", 40 * MIN + 1_000]], "ai_assumed"],
    ["answered, marked not helpful", [["question", 0], ["answer", 1_000], ["not_helpful"]], "unresolved"],
    ["confirmed, then asked for a person", [["question", 0], ["answer", 1_000], ["helpful"], ["human", 2 * MIN]], "unresolved"],
    ["handed off and answered by an agent", [["question", 0], ["clarify", 1_000], ["handoff"], ["agent"]], "agent"],
    ["handed off, no agent yet", [["question", 0], ["answer", 1_000], ["handoff"]], "unresolved"],
    ["never answered", [["question", 0], ["clarify", 1_000]], "unresolved"],
  ])("resolves a conversation %s", (_name, steps, resolution) => {
    expect(resolutionOf(endFields(play(steps)))).toBe(resolution);
  });

  it("counts turns, and marks the conversation degraded once any reply was", () => {
    let o = startOutcome(T);
    o = onBotReply(o, { decision: "answer", mode: "degraded", kbVersion: 4, at: T });
    o = onBotReply(o, { decision: "smalltalk", mode: "normal", kbVersion: null, at: T + 1 });
    expect(endFields(o)).toMatchObject({ turns: 2, mode: "degraded", kbVersion: 4, startedAt: T });
  });

  it("is due to end once the window passes after the last answer, unless a person is involved", () => {
    const answered = play([["question", 0], ["answer", 1_000]]);
    expect(endDue(answered, T + 1_000 + WINDOW, WINDOW)).toBe(false);
    expect(endDue(answered, T + 1_001 + WINDOW, WINDOW)).toBe(true);
    expect(endDue({ ...answered, ended: true }, T + 2 * WINDOW, WINDOW)).toBe(false);
    expect(endDue(onHandoff(answered), T + 2 * WINDOW, WINDOW)).toBe(false);
    expect(endDue(play([["question", 0], ["clarify", 1_000]]), T + 2 * WINDOW, WINDOW)).toBe(false);
  });
});

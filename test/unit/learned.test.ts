// The rules of learning from confirmations: which votes count, and when a learned question
// turns active or is rejected.
import { describe, expect, it } from "vitest";
import { countVotes, decideVote, DEFAULT_LEARN_SETTINGS, statusOf, type LearnSettings, type QuestionVotes, type Vote, type VoteSource } from "../../src/kb/learning/learned.ts";

const vote = (client: string, source: VoteSource = "pick", conversation = `conv-${client}`, day = "2025-01-01"): Vote => ({ client, conversation, source, day });
const q = (votes: Vote[], review: QuestionVotes["review"] = null): QuestionVotes => ({ review, votes });
const auto = { settings: DEFAULT_LEARN_SETTINGS };
const review = { settings: { ...DEFAULT_LEARN_SETTINGS, mode: "review" } satisfies LearnSettings };

describe("a learned question's status", () => {
  it.each([
    ["one customer's pick", [vote("a")], auto, "candidate"],
    ["two clients' picks", [vote("a"), vote("b")], auto, "active"],
    ["a pick and a helpful mark from two clients", [vote("a"), vote("b", "helpful")], auto, "active"],
    ["one agent", [vote("op_1", "agent")], auto, "active"],
    ["one editor", [vote("op_1", "editor")], auto, "active"],
    ["two clients, but review mode", [vote("a"), vote("b")], review, "candidate"],
    ["an agent, but review mode", [vote("op_1", "agent")], review, "candidate"],
    ["two clients, but it needs an editor (EU)", [vote("a"), vote("b")], { ...auto, needsApproval: true }, "candidate"],
    ["two not helpful, nothing else", [vote("a", "not_helpful"), vote("b", "not_helpful")], auto, "rejected"],
    ["two confirmed, three not helpful", [vote("a"), vote("b"), vote("c", "not_helpful"), vote("d", "not_helpful"), vote("e", "not_helpful")], auto, "active"],
    ["two confirmed, four not helpful", [vote("a"), vote("b"), ...["c", "d", "e", "f"].map((c) => vote(c, "not_helpful"))], auto, "rejected"],
    ["an agent, but a pair more not helpful than confirmed", [vote("op", "agent"), vote("c", "not_helpful"), vote("d", "not_helpful")], auto, "rejected"],
    ["three clients, minimum three", [vote("a"), vote("b"), vote("c")], { settings: { ...DEFAULT_LEARN_SETTINGS, minConfirmations: 3 } }, "active"],
  ] as const)("%s → %s", (_name, votes, context, expected) => {
    expect(statusOf(q([...votes]), context)).toBe(expected);
  });

  it("follows an editor's approval or rejection whatever the votes", () => {
    expect(statusOf(q([vote("a", "not_helpful"), vote("b", "not_helpful")], "approved"), auto)).toBe("active");
    expect(statusOf(q([vote("a"), vote("b")], "rejected"), auto)).toBe("rejected");
    expect(statusOf(q([], "approved"), { ...review, needsApproval: true })).toBe("active");
  });

  it("counts confirmations, not-helpful marks and sources", () => {
    expect(countVotes([vote("a"), vote("b", "helpful"), vote("c", "not_helpful"), vote("d", "agent")])).toEqual({
      confirmations: 3,
      notHelpful: 1,
      sources: { pick: 1, helpful: 1, not_helpful: 1, agent: 1, editor: 0 },
    });
  });
});

describe("which votes count", () => {
  const context = { ...auto, clientVotesToday: 0 };

  it("records a first vote as a new candidate", () => {
    expect(decideVote(null, vote("a"), context)).toMatchObject({ kind: "recorded", status: "candidate", previous: null, counts: { confirmations: 1 } });
  });

  it("turns a candidate active with a second client", () => {
    expect(decideVote(q([vote("a")]), vote("b"), context)).toMatchObject({ kind: "recorded", status: "active", previous: "candidate" });
  });

  it.each([
    ["the same client in another conversation", vote("a", "pick", "conv-other"), "client_counted"],
    ["the same client marking it helpful after picking it", vote("a", "helpful", "conv-x"), "client_counted"],
    ["another client in the same conversation", vote("b", "pick", "conv-a"), "conversation_counted"],
  ] as const)("ignores %s", (_name, second, reason) => {
    expect(decideVote(q([vote("a")]), second, context)).toEqual({ kind: "ignored", reason });
  });

  it("holds a customer to the daily cap, but not an agent or editor", () => {
    const capped = { ...auto, clientVotesToday: DEFAULT_LEARN_SETTINGS.maxPerClientPerDay };
    expect(decideVote(null, vote("a"), capped)).toEqual({ kind: "ignored", reason: "daily_cap" });
    expect(decideVote(null, vote("a", "not_helpful"), capped)).toEqual({ kind: "ignored", reason: "daily_cap" });
    expect(decideVote(null, vote("op", "agent"), capped)).toMatchObject({ kind: "recorded", status: "active" });
    expect(decideVote(null, vote("a"), { ...auto, clientVotesToday: DEFAULT_LEARN_SETTINGS.maxPerClientPerDay - 1 })).toMatchObject({ kind: "recorded" });
  });

  it("records nothing when learning is off, except an editor's own teaching", () => {
    const off = { settings: { ...DEFAULT_LEARN_SETTINGS, mode: "off" } satisfies LearnSettings, clientVotesToday: 0 };
    expect(decideVote(null, vote("a"), off)).toEqual({ kind: "ignored", reason: "learning_off" });
    expect(decideVote(null, vote("op", "agent"), off)).toEqual({ kind: "ignored", reason: "learning_off" });
    expect(decideVote(null, vote("op", "editor"), off)).toMatchObject({ kind: "recorded", status: "candidate" });
  });

  it("one client picking a wrong article a dozen times never makes it active", () => {
    const votes: Vote[] = [];
    for (let i = 0; i < 12; i++) {
      const decision = decideVote(votes.length ? q(votes) : null, vote("attacker", "pick", `conv-${i}`), { ...auto, clientVotesToday: i });
      if (decision.kind === "recorded") votes.push(vote("attacker", "pick", `conv-${i}`));
    }
    expect(votes).toHaveLength(1);
    expect(statusOf(q(votes), auto)).toBe("candidate");
  });
});

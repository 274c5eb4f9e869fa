// Which agents self-repair finds abandoned: held as connected by the desk, no console open,
// and past their reconnect grace; with the conversations assigned to them.
import { describe, expect, it } from "vitest";
import { abandonedAgents } from "../../src/desk/abandoned.ts";
import { emptyDesk, type DeskAgent, type DeskConversation, type DeskState } from "../../src/desk/model.ts";

const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const GRACE = 10_000;

const agent = (agentId: string, sockets: number): DeskAgent => ({ agentId, name: agentId, chosen: "online", capacity: 3, sockets, lastAssigned: 0, lastAssignedAt: null });
const assigned = (conversationId: string, agentId: string) => ({ conversationId, status: "assigned", agentId }) as DeskConversation;

function desk(): DeskState {
  const state = emptyDesk("billing");
  state.agents = { ana: agent("ana", 1), bo: agent("bo", 2), cy: agent("cy", 1), di: agent("di", 0) };
  state.conversations = { c1: assigned("c1", "ana"), c2: assigned("c2", "ana"), c3: assigned("c3", "bo"), c4: assigned("c4", "cy") };
  return state;
}

describe("abandoned agents", () => {
  it.each<[string, Record<string, number>, Record<string, number>, number, string[]]>([
    ["every console open: none", { ana: 1, bo: 2, cy: 1 }, {}, T, []],
    ["consoles gone, grace over (or never started: a restarted desk)", { bo: 2 }, { ana: T - 60_000 }, T, ["ana:2", "cy:1"]],
    ["one of two consoles left: not abandoned", { bo: 1 }, {}, T, ["ana:2", "cy:1"]],
    ["within the grace period: not yet", {}, { ana: T - 5_000, bo: T - 5_000, cy: T - 5_000 }, T, []],
    ["the grace period just over", {}, { ana: T - GRACE }, T, ["ana:2", "bo:1", "cy:1"]],
  ])("%s", (_name, live, dropped, now, expected) => {
    const found = abandonedAgents(desk(), (id) => live[id] ?? 0, (id) => dropped[id], GRACE, now);
    expect(found.map((a) => `${a.agentId}:${a.conversations}`)).toEqual(expected);
  });
});

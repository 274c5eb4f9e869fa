// What the agent console keeps when a conversation's read lands (public/agent-client.js
// landRead): a read can leave the server before the frames the desk relays meanwhile (the
// console reads a conversation again when it is assigned and when the agent opens it), and
// a late read must not erase what those frames brought.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a page module in plain JS.
import { landRead } from "../../public/agent-client.js";

const message = (seq: number, role = "customer") => ({ seq, role, text: `m${seq}` });
const read = (seqs: number[], assist: { seq: number; articles: Array<{ articleId: string; title: string }> } | null) => ({ messages: seqs.map((s) => message(s)), notes: [], assist });
const articles = [{ articleId: "en:returns", title: "Returns" }];

describe("a read landing in the agent console", () => {
  it("takes the read when nothing arrived meanwhile", () => {
    const view = read([1, 2], { seq: 1, articles });
    const kept = landRead(view, undefined);
    expect([...kept.messages.keys()]).toEqual([1, 2]);
    expect(kept.assist).toEqual({ seq: 1, articles });
    expect(kept.view).toBe(view);
  });

  it("keeps a message and the suggestions for it relayed while an older read was on its way", () => {
    const relayed = { seq: 5, articles };
    const old = { messages: new Map([[5, message(5)]]), notes: [], assist: relayed };
    const kept = landRead(read([1, 3], null), old);
    expect([...kept.messages.keys()].sort()).toEqual([1, 3, 5]);
    expect(kept.assist).toBe(relayed);
  });

  it("takes the read's suggestions when they are for the same or a later message", () => {
    const old = { messages: new Map(), notes: [], assist: { seq: 3, articles: [] } };
    expect(landRead(read([1, 3], { seq: 3, articles }), old).assist).toEqual({ seq: 3, articles });
    expect(landRead(read([1, 3, 5], { seq: 5, articles }), old).assist).toEqual({ seq: 5, articles });
  });

  it("replaces a relayed message by the read's copy of it", () => {
    const old = { messages: new Map([[3, { ...message(3), text: "sending" }]]), notes: [], assist: null };
    expect(landRead(read([1, 3], null), old).messages.get(3).text).toBe("m3");
  });
});

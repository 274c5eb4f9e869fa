// Durable Object RPC across one version (docs/releases.md): during a gradual deployment a
// Worker (or object) of the previous release calls the current objects. Every call that
// release makes, with its argument shapes, is in test/fixtures/rpc-previous.json with the
// shape of the answer that release's own objects gave (captured by `npm run rpc:fixtures --
// <release>`). Here each call goes, in order, to the current objects, which must accept it
// and answer in a shape the previous release's code still reads: no field gone, no type or
// discriminant changed, no list left empty (new fields are fine).
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import fixture from "../fixtures/rpc-previous.json";
import { CallRunner, incompatibilities, shapeOf, type CapturedCall, type Shape } from "../rpc/calls.ts";

const calls = fixture.calls as CapturedCall[];
const runner = new CallRunner(env);

afterAll(() => runner.close());

describe(`the current objects, called as release ${fixture.release.commit.slice(0, 7)} calls them`, () => {
  it("cover every object an older Worker calls, with the calls it makes", () => {
    expect(calls.length).toBeGreaterThan(50);
    expect(new Set(calls.map((c) => c.binding))).toEqual(new Set(["KB_REPLICA", "RATE_LIMITER", "AGENT_DESK", "CONVERSATION", "SUBJECTS", "REGION_OPS"]));
  });

  // In order: each call finds the state the calls before it made.
  it.each(calls.map((c) => [c.name, c] as const))("%s", async (_name, call) => {
    const answer = await runner.call(call);
    expect(incompatibilities(call.answer, shapeOf(answer))).toEqual([]);
    // A replica's first sync and its training take seconds each on a busy machine.
  }, 60_000);
});

describe("the shape comparison", () => {
  const check = (before: unknown, now: unknown) => incompatibilities(shapeOf(before), shapeOf(now));

  it("allows new fields, new list element kinds and records with new keys", () => {
    expect(check({ ok: true, value: { seq: 1 } }, { ok: true, value: { seq: 2, version: "v" } })).toEqual([]);
    expect(check([{ type: "a", n: 1 }], [{ type: "a", n: 2 }, { type: "b" }])).toEqual([]);
    expect(check({ tallies: { "normal|en|1": { turns: 1 } } }, { tallies: { "normal|en|1|unknown": { turns: 1 } } })).toEqual([]);
  });

  it.each([
    ["a field gone", { ok: true, value: { seq: 1, text: "a" } }, { ok: true, value: { seq: 1 } }, "answer.value.text: gone"],
    ["a type changed", { seq: 1 }, { seq: "1" }, "answer.seq: was number"],
    ["a discriminant changed", { ok: true, value: 1 }, { ok: false, code: "x" }, "answer.ok: was =true"],
    ["an error code changed", { ok: false, code: "not_found" }, { ok: false, code: "gone" }, "answer.code"],
    ["a list left empty", { items: [{ id: "a" }] }, { items: [] }, "answer.items: had elements, now none"],
    ["a list element reshaped", { items: [{ id: "a" }] }, { items: [{ key: "a" }] }, "answer.items[0]"],
  ])("refuses %s", (_what, before, now, message) => {
    const found = check(before, now);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("\n")).toContain(message);
  });

  it("reads a stream of JSON lines as the list of its events", () => {
    const shape = shapeOf({ $stream: [{ event: "message", data: { seq: 1 } }, { event: "done", data: { seq: 2, meta: {} } }] }) as { $stream: Shape[] };
    expect(shape.$stream).toHaveLength(2);
  });
});

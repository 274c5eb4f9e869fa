// Runs the RPC scenario against the objects of the tree it is copied into and writes their
// answers' shapes next to it (captured.json) through Vitest's file snapshot: the capture half
// of scripts/rpc-fixtures.ts. Not a test of this tree: no project includes test/rpc/.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { CallRunner, shapeOf, type CapturedCall } from "./calls.ts";
import { SCENARIO } from "./scenario.ts";

it("captures the answers of the release's objects", async () => {
  const runner = new CallRunner(env);
  const captured: CapturedCall[] = [];
  for (const call of SCENARIO) {
    let answer: unknown;
    try {
      answer = await runner.call(call);
    } catch (err) {
      throw new Error(`${call.name}: ${(err as Error).message}`);
    }
    captured.push({ ...call, answer: shapeOf(answer) });
  }
  runner.close();
  await expect(`${JSON.stringify(captured, null, 2)}\n`).toMatchFileSnapshot("./captured.json");
}, 180_000);

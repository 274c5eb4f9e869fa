// A turn streamed to an HTTP client: its events one JSON object per line (the Worker makes
// them SSE), the stream open once the message is accepted, or the refusal instead.
import type { TurnEvent } from "../src/conversation/protocol.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { SendInput, TurnResult } from "../src/conversation/types.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";

/** Sends `input` through `turns`; `after` runs once the turn succeeded, before the stream ends. */
export async function streamTurn(turns: Turns, input: SendInput, after: (turn: TurnResult) => Promise<void>): Promise<Outcome<ReadableStream<Uint8Array>>> {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  // A client that hung up must not stop the turn; its reply is stored all the same.
  const write = (event: TurnEvent) => void writer.write(encoder.encode(`${JSON.stringify(event)}\n`)).catch(() => {});
  let started!: (outcome: Outcome<void>) => void;
  const start = new Promise<Outcome<void>>((resolve) => (started = resolve));
  const done = turns.send(input, {
    accepted: (message) => {
      started(ok(undefined));
      write({ event: "message", data: message });
    },
    delta: (_replyTo, text) => write({ event: "delta", data: { text } }),
    replied: (reply) => write({ event: "done", data: reply }),
    handoff: (frame) => write({ event: "handoff", data: frame }),
  });
  void done.then(async (outcome) => {
    if (!outcome.ok) started(fail(outcome.code, outcome.retryAfterMs));
    else await after(outcome.value);
    await writer.close().catch(() => {});
  });
  const first = await start;
  return first.ok ? ok(readable) : fail(first.code, first.retryAfterMs);
}

// Server-sent events for streamed replies: the conversation reports a turn's events one
// JSON object per line, and the Worker sends each as an SSE event of the same name.
import type { TurnEvent } from "../conversation/protocol.ts";

const encoder = new TextEncoder();

/** One SSE event with a JSON payload. */
export function sseEvent(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Turns a stream of JSON lines (TurnEvent) into SSE bytes. */
export function turnEventsToSse(lines: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let buffered = "";
  const flush = (controller: TransformStreamDefaultController<Uint8Array>, text: string) => {
    for (const line of text.split("\n")) {
      if (!line) continue;
      const { event, data } = JSON.parse(line) as TurnEvent;
      controller.enqueue(sseEvent(event, data));
    }
  };
  return lines.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffered += decoder.decode(chunk, { stream: true });
        const end = buffered.lastIndexOf("\n");
        if (end < 0) return;
        flush(controller, buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
      },
      flush(controller) {
        flush(controller, buffered + decoder.decode());
      },
    }),
  );
}

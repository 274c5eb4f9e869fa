// Server-sent events encoding for streamed replies.

const encoder = new TextEncoder();

/** One SSE event with a JSON payload. */
export function sseEvent(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

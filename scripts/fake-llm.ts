// A FAKE OpenAI-compatible chat completions server, for tests and drills only: no model runs here (none
// can, offline). Tests script what it streams back and read what it was sent, either
// directly (Node) or over HTTP (`POST /_fake/script`, `GET /_fake/requests`) from workerd.
import { startScriptedServer, type ScriptedServer } from "./fake-server.ts";

export type FakeBehaviour = { kind: "stream"; chunks: string[] } | { kind: "status"; status: number } | { kind: "hang" };

export type FakeLlm = ScriptedServer<FakeBehaviour, Record<string, unknown>>;

export function startFakeLlm(): Promise<FakeLlm> {
  return startScriptedServer<FakeBehaviour, Record<string, unknown>>({ kind: "stream", chunks: ["OK."] }, async ({ req, res, body, behaviour, requests }) => {
    if (req.url !== "/v1/chat/completions" || req.method !== "POST") {
      res.statusCode = 404;
      return res.end();
    }
    requests.push(JSON.parse(body) as Record<string, unknown>);
    if (behaviour.kind === "hang") return; // never answers
    if (behaviour.kind === "status") {
      res.statusCode = behaviour.status;
      return res.end(JSON.stringify({ error: { message: "fake failure" } }));
    }
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    for (const content of behaviour.chunks) {
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
      await new Promise((r) => setTimeout(r, 5));
    }
    res.end("data: [DONE]\n\n");
  });
}

// A FAKE OpenAI-compatible chat completions server, for tests and drills only: no model runs here (none
// can, offline). Tests script what it streams back and read what it was sent, either
// directly (Node) or over HTTP (`POST /_fake/script`, `GET /_fake/requests`) from workerd.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeBehaviour = { kind: "stream"; chunks: string[] } | { kind: "status"; status: number } | { kind: "hang" };

export interface FakeLlm {
  url: string;
  requests: Array<Record<string, unknown>>;
  script(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

export async function startFakeLlm(): Promise<FakeLlm> {
  let behaviour: FakeBehaviour = { kind: "stream", chunks: ["OK."] };
  const requests: Array<Record<string, unknown>> = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (req.url === "/_fake/script" && req.method === "POST") {
      behaviour = JSON.parse(body) as FakeBehaviour;
      requests.length = 0;
      return res.end("{}");
    }
    if (req.url === "/_fake/requests") {
      res.setHeader("Content-Type", "application/json");
      return res.end(JSON.stringify(requests));
    }
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
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (b) => {
      behaviour = b;
      requests.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

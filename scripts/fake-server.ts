// What the FAKE servers (scripts/fake-llm.ts, test/support/fake-embeddings.ts) share: a local
// HTTP server whose behaviour tests script and whose requests they read, directly (Node) or
// over HTTP from workerd (`POST /_fake/script`, `GET /_fake/requests`).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ScriptedServer<B, R> {
  url: string;
  /** What each call asked for, since the last script. */
  requests: R[];
  script(behaviour: B): void;
  close(): Promise<void>;
}

/** The scripted part of a request: its body, the current behaviour, and where to record it. */
export interface ScriptedRequest<B, R> {
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  behaviour: B;
  requests: R[];
}

export async function startScriptedServer<B, R>(initial: B, handle: (r: ScriptedRequest<B, R>) => unknown, port = 0): Promise<ScriptedServer<B, R>> {
  let behaviour = initial;
  const requests: R[] = [];
  const script = (b: B) => {
    behaviour = b;
    requests.length = 0;
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (req.url === "/_fake/script" && req.method === "POST") {
      script(JSON.parse(body) as B);
      res.setHeader("Content-Type", "application/json");
      return res.end("{}");
    }
    if (req.url === "/_fake/requests") {
      res.setHeader("Content-Type", "application/json");
      return res.end(JSON.stringify(requests));
    }
    await handle({ req, res, body, behaviour, requests });
  });
  // Idle connections are kept a minute, as API servers do: Node's 5 s default races clients that reuse one.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// A local HTTP receiver for webhooks (Node), started by the workers global setup: POST /hook
// (alerts) or /hook/<name> (a test's integration webhook) records the request (headers and
// raw body) and answers 204, or 503 while failures are on (`PUT /fail` for every path,
// `PUT /fail?path=/hook/<name>` for one); GET /received lists what came (`?path=` for one
// path); DELETE /received forgets it.
import { createServer, type IncomingMessage } from "node:http";

export interface ReceivedHook {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let failing = false;
  const failingPaths = new Set<string>();
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url ?? "/", "http://receiver");
    const path = url.pathname;
    const only = url.searchParams.get("path");
    if (req.method === "POST" && (path === "/hook" || path.startsWith("/hook/"))) {
      received.push({ path, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
      res.writeHead(failing || failingPaths.has(path) ? 503 : 204).end();
    } else if (path === "/received" && req.method === "GET") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(only ? received.filter((r) => r.path === only) : received));
    } else if (path === "/received" && req.method === "DELETE") {
      received.length = 0;
      res.writeHead(204).end();
    } else if (path === "/fail" && req.method === "PUT") {
      if (only) {
        if (body === "on") failingPaths.add(only);
        else failingPaths.delete(only);
      } else failing = body === "on";
      res.writeHead(204).end();
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

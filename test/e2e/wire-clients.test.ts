// The Worker on the wire, as standard clients see it (not through workerd's in-process
// fetch): Node's `ws` with and without subprotocols, and plain HTTP for errors.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import WebSocket from "ws";

const baseUrl = inject("baseUrl");

async function conversation(): Promise<{ id: string; token: string; websocketUrl: string }> {
  const res = await fetch(`${baseUrl}/v1/conversations`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  expect(res.status).toBe(201);
  return res.json() as never;
}

/** Opens a socket; resolves once open (with the protocol the server chose) or rejects with the handshake error. */
function open(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, { headers });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Sends a message and collects frames until its reply arrives. */
async function roundTrip(ws: WebSocket, text: string): Promise<Array<Record<string, unknown>>> {
  const clientMessageId = randomUUID();
  const frames: Array<Record<string, unknown>> = [];
  const done = new Promise<void>((resolve) =>
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      frames.push(frame);
      const message = frame.message as { role?: string; replyTo?: number } | undefined;
      if (frame.type === "message" && message?.role === "assistant") resolve();
    }),
  );
  ws.send(JSON.stringify({ type: "message", text, clientMessageId }));
  await done;
  return frames;
}

describe("standard WebSocket clients", () => {
  it("connects with a Bearer header and no subprotocol, and gets no subprotocol back", async () => {
    const conv = await conversation();
    const ws = await open(conv.websocketUrl, [], { Authorization: `Bearer ${conv.token}` });
    expect(ws.protocol).toBe("");
    const frames = await roundTrip(ws, "How do I reset my password?");
    expect(frames[0]).toMatchObject({ type: "ack", seq: 1 });
    expect(frames.filter((f) => f.type === "message")).toHaveLength(2);
    ws.close();
  });

  it("connects with a Bearer header offering holdfast.v1, and gets exactly that back", async () => {
    const conv = await conversation();
    const ws = await open(conv.websocketUrl, ["holdfast.v1"], { Authorization: `Bearer ${conv.token}` });
    expect(ws.protocol).toBe("holdfast.v1");
    expect((await roundTrip(ws, "我的包裹到哪了？")).filter((f) => f.type === "message")).toHaveLength(2);
    ws.close();
  });

  it("connects as a browser does, with the token as a subprotocol, and never gets the token echoed", async () => {
    const conv = await conversation();
    const ws = await open(conv.websocketUrl, ["holdfast.v1", `holdfast.auth.${conv.token}`]);
    expect(ws.protocol).toBe("holdfast.v1");
    expect((await roundTrip(ws, "hello")).filter((f) => f.type === "message")).toHaveLength(2);
    ws.close();
  });

  it("refuses a socket without a token with 401 and a JSON error", async () => {
    const conv = await conversation();
    const refused = await open(conv.websocketUrl, []).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/401/);
  });
});

describe("HTTP errors on the wire", () => {
  it.each([
    ["an unknown API route", "GET", "/v1/nope", 404, "not_found"],
    ["an unknown page", "GET", "/no-such-page", 404, "not_found"],
    ["POST to a page", "POST", "/", 404, "not_found"],
    ["a known route with another method", "PUT", "/v1/conversations", 405, "method_not_allowed"],
    ["DELETE on the health route", "DELETE", "/healthz", 405, "method_not_allowed"],
  ])("answers %s with a JSON %i", async (_name, method, path, status, code) => {
    const res = await fetch(`${baseUrl}${path}`, { method });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
    if (status === 405) expect(res.headers.get("allow")).toMatch(/[A-Z]/);
  });
});

// Load generators for the benchmark, against 127.0.0.1 only: autocannon for HTTP (the
// trivial route, chat turns), `ws` sessions for WebSocket turns and the heartbeat.
import autocannon from "autocannon";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createConversation, SocketSession, type Conversation } from "./clients.ts";
import { summarise, type Summary } from "./stats.ts";

/** Questions a bench conversation asks, in turn: from the demo KB's domain. */
export const QUESTIONS = [
  "How do I reset my password?",
  "How long does a refund take?",
  "Where is my order?",
  "How much does shipping cost?",
  "Can I cancel my order?",
  "Which payment methods do you accept?",
  "How do I return an item?",
  "Do you ship internationally?",
];

function fromAutocannon(result: autocannon.Result): Summary {
  return { n: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average, perSecond: result.requests.average };
}

function checked(result: autocannon.Result, what: string): autocannon.Result {
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > result.requests.total * 0.01) throw new Error(`${what}: ${failed} of ${result.requests.total} requests failed`);
  return result;
}

/** GET /healthz with `connections` connections for `seconds`. */
export async function trivialRoute(base: string, connections: number, seconds: number): Promise<Summary> {
  return fromAutocannon(checked(await autocannon({ url: `${base}/healthz`, connections, duration: seconds }), "trivial route"));
}

/** HTTP chat turns: each connection is its own conversation, asking question after question. */
export async function httpTurns(base: string, connections: number, seconds: number): Promise<Summary> {
  const conversations: Conversation[] = [];
  for (let i = 0; i < connections; i++) conversations.push(await createConversation(base));
  let next = 0;
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    setupClient: (client) => {
      const conv = conversations[next++ % conversations.length]!;
      let asked = 0;
      client.setRequests([
        {
          method: "POST",
          path: `/v1/conversations/${conv.id}/messages`,
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${conv.token}` },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ text: QUESTIONS[asked++ % QUESTIONS.length], clientMessageId: randomUUID() }) }),
        },
      ]);
    },
  });
  return fromAutocannon(checked(result, "HTTP turns"));
}

/** A question never asked before (a number no question has), so no cache can answer it. */
export function fresh(question: string, n: number): string {
  return `${question} ${n}${Math.floor(Math.random() * 1e6)}`;
}

/**
 * WebSocket chat turns from `sessions` conversations at once, each turn after the last.
 * `vary` words each question anew (see fresh()), so every turn asks the replica.
 */
export async function wsTurns(base: string, sessions: number, seconds: number, check?: (meta: Record<string, unknown>) => void, vary = false): Promise<Summary> {
  const open = await Promise.all(Array.from({ length: sessions }, async () => SocketSession.open(base, await createConversation(base))));
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    open.map(async (session, s) => {
      for (let i = s; performance.now() < until; i++) {
        const question = QUESTIONS[i % QUESTIONS.length]!;
        samples.push(await session.turn(vary ? fresh(question, i) : question, check));
      }
    }),
  );
  const wall = performance.now() - started;
  open.forEach((s) => s.close());
  return summarise(samples, wall);
}

/**
 * The turn's floor: `sessions` WebSockets, each to its own minimal Durable Object that
 * INSERTs every message and echoes it (BenchFloorDO), each message after the last echo.
 */
export async function floorTurns(base: string, sessions: number, seconds: number): Promise<Summary> {
  const open = await Promise.all(
    Array.from({ length: sessions }, (_, i) => {
      const ws = new WebSocket(`${base.replace(/^http/, "ws")}/v1/dev/floor/floor-${randomUUID()}-${i}/ws`);
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    }),
  );
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    open.map(async (ws, s) => {
      for (let i = s; performance.now() < until; i++) {
        const sent = performance.now();
        const echoed = new Promise((resolve) => ws.once("message", resolve));
        ws.send(QUESTIONS[i % QUESTIONS.length]!);
        await echoed;
        samples.push(performance.now() - sent);
      }
    }),
  );
  const wall = performance.now() - started;
  open.forEach((ws) => ws.close());
  return summarise(samples, wall);
}

/** The runtime's heartbeat auto-response on a conversation's own socket: the WebSocket floor. */
export async function heartbeat(base: string, seconds: number): Promise<Summary> {
  const session = await SocketSession.open(base, await createConversation(base));
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < until) samples.push(await session.heartbeat());
  session.close();
  return summarise(samples, performance.now() - started);
}

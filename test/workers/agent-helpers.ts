// Helpers for the desk in workerd: operators in the KB primary, agent sessions, a recording
// agent console socket, and a desk's timers run at a chosen time.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { OperatorRole } from "../../src/auth/roles.ts";
import { createOperator } from "../../src/operators/repository.ts";
import type { AgentDeskDO } from "../../src/index.ts";
import { call, createConversation, type Created, type Frame, send, SocketClient, testPrimary, unique } from "./helpers.ts";

export interface Agent {
  id: string;
  name: string;
  key: string;
  token: string;
  team: string;
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** A fresh team name, so that every test has a desk of its own. */
export const team = () => `team-${unique()}`;

/** Creates an operator in the primary and returns its key. */
export async function operator(name: string, role: OperatorRole, teamName: string | null): Promise<{ id: string; key: string }> {
  const db = testPrimary();
  const { operator: op, key } = await createOperator(db, { name, role, team: teamName }, { now: Date.now(), random });
  return { id: op.id, key };
}

/** Signs in with an operator key. */
export function signIn(key: string): Promise<Response> {
  return call("/v1/agent/session", { method: "POST", headers: { Authorization: `Bearer ${key}` } });
}

/** An agent of `teamName` with a session. */
export async function agent(name: string, teamName: string, role: OperatorRole = "agent"): Promise<Agent> {
  const { id, key } = await operator(name, role, teamName);
  const res = await signIn(key);
  if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token: string };
  return { id, name, key, token: body.token, team: teamName };
}

/** A call to the agent API with a session token (or any bearer credential). */
export function agentCall(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return call(`/v1/agent${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** An agent console: a desk socket that records its frames. */
export async function openConsole(a: Agent, presence?: { status: string; capacity?: number }): Promise<SocketClient> {
  const res = await call("/v1/agent/ws", { headers: { Upgrade: "websocket", Authorization: `Bearer ${a.token}` } });
  if (res.status !== 101 || !res.webSocket) throw new Error(`agent upgrade failed: ${res.status} ${await res.text()}`);
  const socket = new SocketClient(res.webSocket);
  await socket.until((s) => s.frames.some((f) => f.type === "queue"));
  if (presence) {
    socket.send({ type: "presence", ...presence });
    await socket.until((s) => s.frames.some((f) => f.type === "presence" && f.status === presence.status && (presence.capacity === undefined || f.capacity === presence.capacity)));
  }
  return socket;
}

/** A conversation of a team whose customer has asked for a person in words. */
export async function handedOver(teamName: string, customer?: { name: string }): Promise<Created> {
  const conv = await createConversation({ team: teamName, ...(customer && { customer }) });
  const res = await send(conv, "I want to talk to a human", `human-${unique()}`);
  if (res.status !== 200) throw new Error(`handoff turn failed: ${res.status} ${await res.text()}`);
  return conv;
}

export function frames(socket: SocketClient, type: string): Frame[] {
  return socket.frames.filter((f) => f.type === type);
}

/** The latest frame of a type. */
export function last(socket: SocketClient, type: string): Frame | undefined {
  return frames(socket, type).at(-1);
}

export function desk(teamName: string): DurableObjectStub<AgentDeskDO> {
  return env.AGENT_DESK.get(env.AGENT_DESK.idFromName(teamName));
}

/** Runs the desk's timers as if its alarm fired `laterMs` from now (reply timeouts, max waits, reconnect grace). */
export async function runTimersIn(teamName: string, laterMs: number): Promise<void> {
  await runInDurableObject(desk(teamName), (instance: AgentDeskDO) => instance.runTimers(Date.now() + laterMs));
}

/** The desk's queue through the REST mirror. */
export async function queueOf(a: Agent): Promise<{ items: Array<{ conversationId: string; status: string; agent: { agentId: string } | null; position: number | null; sla: string }>; breaches: Record<string, number>; tickets: Array<{ conversationId: string; language: string }> }> {
  const res = await agentCall(a.token, "/queue");
  if (res.status !== 200) throw new Error(`queue: ${res.status} ${await res.text()}`);
  return res.json();
}

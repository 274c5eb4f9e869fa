// The handoff drill: customers ask for a person and keep writing, scripted agents reply over
// the desk's WebSocket, and the server is killed with SIGKILL mid-conversation. One agent
// never comes back. One more customer writes by mail, and outgoing mail is down for the last
// second before the kill, so agents' replies to it are stored but not yet sent when the
// server dies. Afterwards every acknowledged customer and agent message must be stored
// exactly once and in order, every agent reply to the mail must have left by mail exactly
// once, and no conversation may be left with the agent who is gone.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createOperator } from "../../src/operators/repository.ts";
import { openKb } from "../kb.ts";
import type { Stack } from "../stack.ts";
import { scriptedAgent, type DrillAgent } from "./agents.ts";
import { mailCustomer, mailDown, mailTexts, verifyMail, type MailCounts } from "./email.ts";
import { httpClient, socketClient, type DrillClient } from "./clients.ts";
import { transcriptOf, verify, type DrillCounts, type Stored } from "./verify.ts";

export interface AgentCounts {
  agents: number;
  /** Agent messages sent, acknowledged, and what became of the acknowledged ones. */
  agentSent: number;
  agentRetried: number;
  agentAcknowledged: number;
  agentLost: number;
  agentDuplicated: number;
  agentOutOfOrder: number;
  /** Conversations the agent who left had when the server was killed (they must move on). */
  goneAgentHad: number;
  /** Conversations the desk still gives to the agent who left (or any agent no longer there), after the grace period. */
  leftWithGoneAgent: number;
  /** Customer messages that went to an agent: stored and acknowledged, no bot reply. */
  heldForAgents: number;
}

export interface HandoffRun {
  counts: DrillCounts & AgentCounts & MailCounts;
  restartMs: number;
}

export interface HandoffOptions {
  stack: Stack;
  stateDir: string;
  conversations: number;
  agents: number;
  before: number;
  after: number;
  pacingMs: number;
  log: (line: string) => void;
}

/** Vars the handoff drill's stack runs with: a short reconnect grace, so the gone agent's conversations move on within the drill; an admin key for faults and the mail outbox. */
export const HANDOFF_VARS = { AGENT_RECONNECT_GRACE_SECONDS: "2", ADMIN_API_KEY: "drill-admin-key-0123456789" };

const wait = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

export async function runHandoff(o: HandoffOptions): Promise<HandoffRun> {
  const base = o.stack.url;
  const kb = openKb(`file:${join(o.stateDir, "kb.db")}`);
  const sources = { now: Date.now(), random: (n: number) => new Uint8Array(randomBytes(n)) };
  const keys: string[] = [];
  for (let i = 0; i < o.agents; i++) keys.push((await createOperator(kb, { name: `Agent ${i}`, role: "agent", team: "support" }, sources)).key);
  kb.$client.close();
  const agents: DrillAgent[] = [];
  for (const key of keys) agents.push(await scriptedAgent(base, key, o.conversations, o.pacingMs));
  let stopped = false;
  const working = agents.map((a) => a.run(() => stopped));
  await wait(1);
  const script = { first: "I want to talk to a human" };
  const clients: DrillClient[] = [];
  for (let i = 0; i < o.conversations; i++) clients.push(i % 2 ? await httpClient(base, i, o.pacingMs, script) : await socketClient(base, i, o.pacingMs, script));
  const mailConversation = await mailCustomer(base, HANDOFF_VARS.ADMIN_API_KEY, "drill@customer.example");
  o.log(`handoff: ${clients.length} customers asked for a person (half WebSocket, half HTTP), one more by mail; ${agents.length} agents reply`);
  const talking = clients.map((c) => c.run(() => stopped));
  await wait(Math.max(0, o.before - 1));
  // Replies stored from now on wait in the outbox: the kill finds them stored and unsent.
  await mailDown(base, HANDOFF_VARS.ADMIN_API_KEY, true);
  await wait(Math.min(1, o.before));
  const repliesByMail = () => agents.flatMap((a) => a.sent.filter((m) => m.conversationId === mailConversation && m.seq !== null).map((m) => m.text));
  const atKill = { replies: repliesByMail(), sent: await mailTexts(base, HANDOFF_VARS.ADMIN_API_KEY, mailConversation) };
  const gone = agents[0]!;
  const goneAgentHad = gone.mine.size;
  gone.leave();
  o.log(`handoff: SIGKILL (and ${gone.name} leaves for good)`);
  const killed = performance.now();
  await o.stack.worker.kill();
  await o.stack.restartWorker();
  const restartMs = performance.now() - killed;
  o.log(`handoff: restarted in ${(restartMs / 1000).toFixed(1)} s; customers and agents reconnect`);
  await wait(o.after);
  stopped = true;
  await Promise.all([...talking, ...working]);
  o.log("handoff: checking every acknowledged customer and agent message, and the desk");
  const customers = await verify(base, clients, 0, false);
  const mail = await verifyMail(base, HANDOFF_VARS.ADMIN_API_KEY, mailConversation, repliesByMail(), atKill);
  const counts = { ...customers, ...(await verifyAgents(base, clients, agents)), ...mail, goneAgentHad, leftWithGoneAgent: await leftWith(base, agents[1]!.token, gone.id) };
  for (const a of agents) a.close();
  return { counts, restartMs };
}

/** Every acknowledged agent message is in its conversation once, at the acknowledged seq, after the agent's earlier ones. */
async function verifyAgents(base: string, clients: DrillClient[], agents: DrillAgent[]): Promise<Omit<AgentCounts, "leftWithGoneAgent" | "goneAgentHad">> {
  const counts = { agents: agents.length, agentSent: 0, agentRetried: 0, agentAcknowledged: 0, agentLost: 0, agentDuplicated: 0, agentOutOfOrder: 0, heldForAgents: 0 };
  const transcripts = new Map<string, Stored[]>();
  for (const c of clients) {
    const messages = await transcriptOf(base, c);
    transcripts.set(c.conversation.id, messages);
    const answered = new Set(messages.filter((m) => m.role === "assistant").map((m) => m.replyTo));
    counts.heldForAgents += messages.filter((m) => m.role === "customer" && !answered.has(m.seq)).length;
  }
  for (const agent of agents) {
    // Replies in the email conversation are checked against the mail outbox (verifyMail).
    const chats = agent.sent.filter((m) => transcripts.has(m.conversationId));
    counts.agentSent += chats.length;
    counts.agentRetried += chats.filter((m) => m.retries > 0).length;
    const previous = new Map<string, number>();
    for (const m of chats.filter((s) => s.seq !== null)) {
      counts.agentAcknowledged++;
      const copies = (transcripts.get(m.conversationId) ?? []).filter((s) => s.role === "agent" && s.text === m.text);
      if (copies.length === 0) counts.agentLost++;
      if (copies.length > 1) counts.agentDuplicated += copies.length - 1;
      const copy = copies[0];
      if (!copy) continue;
      if (copy.seq !== m.seq || copy.seq <= (previous.get(m.conversationId) ?? 0)) counts.agentOutOfOrder++;
      previous.set(m.conversationId, copy.seq);
    }
  }
  return counts;
}

/** Conversations the desk still gives to the agent who left, or to any agent no longer at the desk (read with a colleague's session). */
async function leftWith(base: string, token: string, goneId: string): Promise<number> {
  const res = await fetch(`${base}/v1/agent/queue`, { headers: { Authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`reading the queue failed: ${res.status}`);
  const queue = (await res.json()) as { items: Array<{ status: string; agent: { agentId: string } | null }>; agents: Array<{ agentId: string; presence: string }> };
  const present = new Set(queue.agents.filter((a) => a.presence !== "offline" && a.agentId !== goneId).map((a) => a.agentId));
  return queue.items.filter((i) => i.status === "assigned" && !present.has(i.agent?.agentId ?? "")).length;
}

// The Durable Object RPC calls a Worker (or another object) of the release being replaced
// makes, with its argument shapes: what the release check runs against that release to
// capture its answers (scripts/rpc-fixtures.ts), and what test/workers/rpc-compat.test.ts
// then sends to the current objects, from the fixture. Written against the previous
// release's types; a call that release refuses fails the capture. Every RPC method the
// previous release's Worker or objects call is here (dev-only ones too), in an order
// that gives each the state it needs: a replica that synced, a conversation in a team's
// queue, an agent's message, a ticket, a region's events.
//
// Self-contained: it imports nothing of the project (it is copied into the older tree).
import type { RpcCall } from "./calls.ts";

const TEAM = "rpc-team";
const REGION = "afr";
const AGENT = { id: "op-rpc-1", name: "Ada", role: "agent", team: TEAM };
const ADMIN = { id: "op-rpc-2", name: "Grace", role: "admin", team: TEAM };
const POLICY = { limit: 10, periodMs: 60_000 };
/** A hashed conversation id, as events carry it. */
const HASHED = "00000000000000000000000000c0ffee";

const replica = (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "KB_REPLICA", object: REGION, method, args });
const limiter = (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "RATE_LIMITER", object: `${REGION}:0`, method, args });
const ops = (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "REGION_OPS", object: REGION, method, args });
const desk = (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "AGENT_DESK", object: TEAM, method, args });
const subject = (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "SUBJECTS", object: "rpc-subject", method, args });
const conversation = (object: string) => (name: string, method: string, args: unknown[]): RpcCall => ({ name, binding: "CONVERSATION", object, unique: true, method, args });
const c1 = conversation("c1");
const c2 = conversation("c2");

const turnEvent = { type: "turn", at: "${now}", region: REGION, colo: "JNB", jurisdiction: null, conversation: HASHED, language: "en", mode: "normal", kbVersion: 1, decision: "answer", degradedReason: null, articleId: "en:refunds", confidence: "0.90-1.00", latencyMs: 120, replicaLagSeconds: 1 };
const handoffEvent = { type: "handoff", at: "${now}", region: REGION, colo: "JNB", jurisdiction: null, conversation: HASHED, language: "en", mode: "normal", kbVersion: 1, reason: "customer_request" };
const ratingEvent = { type: "rating", at: "${now}", region: REGION, colo: "JNB", jurisdiction: null, conversation: HASHED, language: "en", mode: "normal", kbVersion: 1, score: 4 };
const gapQuestion = { language: "en", text: "Can you repair a telescope lens?", reason: "no_answer", at: "${now}" };

export const SCENARIO: RpcCall[] = [
  // The region's replica: a sync from the primary first, then what conversations and routes ask of it.
  replica("replica.sync", "sync", []),
  replica("replica.status", "status", [true]),
  replica("replica.search", "search", ["refund", { locale: "en", limit: 3 }]),
  replica("replica.retrieve", "retrieve", ["How long does a refund take?", { language: "en", fallbackLanguage: "en", limit: 3 }, []]),
  replica("replica.article", "article", ["${answer:replica.search#hits.0.slug}", "en"]),
  replica("replica.remember", "remember", [[{ question: "How long does a refund take?", language: "en", articleId: "${answer:replica.search#hits.0.id}" }]]),
  replica("replica.recall", "recall", ["How long does a refund take?", "en"]),
  replica("replica.forget", "forget", [["How long does a refund take?"]]),
  replica("replica.topics", "topics", ["en", "en", 3]),
  replica("replica.measureSearch", "measureSearch", [["refund", "password"], { locale: "en", limit: 3 }, "search"]),
  replica("replica.train", "train", []),
  replica("replica.sync.chunk", "sync", [{ pageSize: 100, maxPages: 1 }]),

  // The region's rate limiter shard.
  limiter("limiter.hit", "hit", ["ip:rpc-compat", POLICY, "${now}"]),
  limiter("limiter.hitMany", "hitMany", ["ip:rpc-compat", POLICY, 3, "${now}"]),

  // A team's desk, before any conversation: its canned responses and queue.
  desk("desk.cannedLibrary", "cannedLibrary", []),
  desk("desk.replaceCanned", "replaceCanned", [[{ id: "greet", locale: "en", title: "Greeting", text: "Hello, I am here to help." }]]),
  desk("desk.replaceCanned.revision", "replaceCanned", [[{ id: "greet", locale: "en", title: "Greeting", text: "Hello, how can I help?" }], "${answer:desk.replaceCanned#value.revision}"]),
  desk("desk.resetCanned", "resetCanned", []),
  desk("desk.snapshot.empty", "snapshot", [TEAM]),

  // With no agent online: a person asked for, a message left for the team (an offline ticket).
  c2("c2.create", "create", [{ id: "${id:c2}", locale: "en", region: REGION, jurisdiction: null, team: TEAM }]),
  c2("c2.requestHandoff", "requestHandoff", []),
  c2("c2.leaveMessage", "leaveMessage", [{ email: "ada@example.com", text: "Please call me back.", clientMessageId: "rpc-offline-0001" }]),
  desk("desk.leaveMessage", "leaveMessage", [TEAM, { conversationId: "${id:c2}", language: "en" }]),
  desk("desk.access.ticket", "access", [AGENT, "${id:c2}"]),
  desk("desk.snapshot.tickets", "snapshot", [TEAM]),

  // An agent's console connects (the upgrade as the Worker forwards it, the agent in a header).
  desk("desk.connect", "fetch", ["https://holdfast.test/v1/agent/ws", { headers: { Upgrade: "websocket", "x-holdfast-agent": JSON.stringify(AGENT) } }]),
  desk("desk.act.presence", "act", [AGENT, { type: "presence", status: "online", capacity: 3 }]),
  desk("desk.act.closeTicket", "act", [AGENT, { type: "close_ticket", ticketId: "${answer:desk.snapshot.tickets#value.tickets.0.ticketId}" }]),

  // A conversation of the team, answered by the bot, then handed to the agent.
  c1("c1.create", "create", [{ id: "${id:c1}", locale: "en", region: REGION, jurisdiction: null, team: TEAM, colo: "JNB", subject: "rpc-subject", metadata: { plan: "pro" } }]),
  c1("c1.send", "send", [{ text: "How long does a refund take?", clientMessageId: "rpc-compat-0001" }]),
  c1("c1.send.again", "send", [{ text: "How long does a refund take?", clientMessageId: "rpc-compat-0001" }]),
  c1("c1.sendStream", "sendStream", [{ text: "Thank you!", clientMessageId: "rpc-compat-0002" }]),
  c1("c1.history", "history", [0, 50]),
  c1("c1.feedback", "feedback", ["${answer:c1.send#value.reply.seq}", true]),
  c1("c1.rate", "rate", [{ score: 4, comment: "quick" }]),
  c1("c1.requestHandoff", "requestHandoff", ["customer_request"]),
  desk("desk.snapshot.queue", "snapshot", [TEAM]),
  desk("desk.access.agent", "access", [AGENT, "${id:c1}"]),
  desk("desk.customerMessage", "customerMessage", [TEAM, "${id:c1}", { average: -0.2, last: -0.4 }]),
  desk("desk.act.claim", "act", [AGENT, { type: "claim", conversationId: "${id:c1}" }]),
  desk("desk.access.admin", "access", [ADMIN, "${id:c1}"]),
  desk("desk.act.message", "act", [AGENT, { type: "message", conversationId: "${id:c1}", text: "Hi, I am Ada. Let me look.", clientMessageId: "rpc-agent-0001" }]),
  desk("desk.act.canned", "act", [AGENT, { type: "canned", conversationId: "${id:c1}", cannedId: "checking", clientMessageId: "rpc-agent-0003" }]),
  desk("desk.act.note", "act", [AGENT, { type: "note", conversationId: "${id:c1}", text: "Asked about refunds twice.", clientMessageId: "rpc-note-0001" }]),
  desk("desk.act.typing", "act", [AGENT, { type: "typing", conversationId: "${id:c1}" }]),
  desk("desk.relay", "relay", [TEAM, "${id:c1}", { type: "typing", conversationId: "${id:c1}" }]),
  // What the desk asks of the conversation, as an older desk would.
  c1("c1.agentMessage", "agentMessage", [{ agent: { id: AGENT.id, name: AGENT.name }, clientMessageId: "rpc-agent-0002", text: "It takes 5 to 7 days.", refused: null }]),
  c1("c1.agentNote", "agentNote", [{ agent: { id: AGENT.id, name: AGENT.name }, text: "Told them 5 to 7 days.", clientMessageId: "rpc-note-0002" }]),
  c1("c1.agentTyping", "agentTyping", [AGENT.name]),
  c1("c1.deskUpdate", "deskUpdate", [{ team: TEAM, revision: 1_000, frame: "${answer:c1.requestHandoff#value}" }]),
  c1("c1.agentView", "agentView", [0, 50]),
  c1("c1.send.toAgent", "send", [{ text: "Thanks, that helps.", clientMessageId: "rpc-compat-0003" }]),
  desk("desk.act.close", "act", [AGENT, { type: "close", conversationId: "${id:c1}", resolution: "resolved" }]),
  c1("c1.agentClosed", "agentClosed", ["resolved"]),
  desk("desk.withdraw", "withdraw", [TEAM, "${id:c1}"]),

  // A transfer from another team's desk: c2 joins this queue with its place and an agent's answer.
  desk("desk.request", "request", [TEAM, { type: "enqueue", conversationId: "${id:c2}", reason: "customer_request", language: "en", region: REGION, sentiment: { average: 0, last: 0 }, since: "${now-60000}", responded: true }]),
  desk("desk.act.release", "act", [AGENT, { type: "release", conversationId: "${id:c2}" }]),
  desk("desk.runTimers", "runTimers", ["${now+600000}"]),

  // The verified customer's index, filled by c1's creation.
  subject("subject.list", "list", []),
  subject("subject.add", "add", [{ conversationId: "${id:c2}", jurisdiction: null, region: REGION, createdAt: "2026-01-05T12:00:00.000Z" }]),
  subject("subject.remove", "remove", ["${id:c2}"]),

  // The region's ops: a batch as an isolate of the previous release sends it (no event ids), then the reads.
  ops("ops.ingest", "ingest", [REGION, { events: [turnEvent, handoffEvent, ratingEvent], gaps: [gapQuestion], breakers: { llm: "closed", [`replica:${REGION}`]: "open" } }]),
  ops("ops.query", "query", [REGION, "1h"]),
  ops("ops.query.filtered", "query", [REGION, { minutes: 5 }, { language: "en", mode: "normal", kbVersion: 1 }]),
  ops("ops.steps", "steps", [REGION, "1h", 60_000, { language: "en" }]),
  ops("ops.metricsView", "metricsView", [REGION]),
  ops("ops.alerts", "alerts", [REGION]),
  ops("ops.gaps", "gaps", [REGION, { language: "en", since: "${now-3600000}" }]),
  ops("ops.markDraft", "markDraft", [REGION, ["${answer:ops.gaps#gaps.0.id}"], "en:kb-gap-telescope"]),
  ops("ops.closeGaps", "closeGaps", [REGION, ["${answer:ops.gaps#gaps.0.id}"]]),

  // The end of a conversation: closed, exported, erased; then the customer's index erased.
  c1("c1.close", "close", []),
  c1("c1.export", "export", []),
  c1("c1.erase", "erase", []),
  c1("c1.history.erased", "history", [0, 50]),
  subject("subject.erase", "erase", []),
];

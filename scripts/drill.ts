// `npm run drill [-- --quick] [--variant basic|primary-down|llm-fault|handoff]`: while conversations
// talk over WebSocket and HTTP, kill the local server with SIGKILL, restart it on the same
// state, let the clients reconnect and resume, then check every acknowledged message is
// stored exactly once, in order, with its reply. Runs the plain drill, then with the KB
// primary stopped, then with the LLM failing, then with customers handed to scripted agents
// (handoff: agent messages are checked the same way, and no conversation may stay with the
// agent who left). Exits non-zero if anything acknowledged was lost, duplicated, reordered or
// left unanswered.
import { parseArgs } from "node:util";
import { runDrill, type DrillReport, type Variant } from "./drill/run.ts";

const { values: args } = parseArgs({ options: { quick: { type: "boolean", default: false }, variant: { type: "string", multiple: true } } });
const variants = (args.variant?.length ? args.variant : ["basic", "primary-down", "llm-fault", "handoff"]) as Variant[];
const quick = args.quick!;
const reports: DrillReport[] = [];
for (const variant of variants) {
  reports.push(
    await runDrill({
      variant,
      conversations: quick ? 6 : 20,
      before: quick ? 3 : 8,
      after: quick ? 5 : 12,
      pacingMs: 200,
      log: (line) => console.log(`  ${line}`),
    }),
  );
}
console.table(
  reports.map(({ variant, sent, retried, acknowledged, stored, lost, duplicated, outOfOrder, unanswered, restartMs, ok }) => ({
    variant,
    sent,
    "re-sent after the kill": retried,
    acknowledged,
    stored,
    lost,
    duplicated,
    "out of order": outOfOrder,
    unanswered,
    "restart s": (restartMs / 1000).toFixed(1),
    result: ok ? "ok" : "FAILED",
  })),
);
const handoffs = reports.filter((r) => r.agentSent !== undefined);
if (handoffs.length) {
  console.log("Agent messages (handoff; the bot is silent while an agent has a conversation, so customer messages then have no bot reply):");
  console.table(
    handoffs.map((r) => ({
      agents: r.agents,
      sent: r.agentSent,
      "re-sent after the kill": r.agentRetried,
      acknowledged: r.agentAcknowledged,
      lost: r.agentLost,
      duplicated: r.agentDuplicated,
      "out of order": r.agentOutOfOrder,
      "customer messages held for agents": r.heldForAgents,
      "gone agent had": r.goneAgentHad,
      "left with a gone agent": r.leftWithGoneAgent,
      "replies by mail": r.mailReplies,
      "unsent at the kill": r.mailUnsentAtKill,
      "mail lost": r.mailLost,
      "mail sent twice": r.mailDuplicated,
    })),
  );
}
process.exit(reports.every((r) => r.ok) ? 0 : 1);

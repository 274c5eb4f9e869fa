// One chaos drill: conversations keep talking over WebSocket and HTTP while the server is
// killed with SIGKILL and started again on the same persisted state; then every
// acknowledged message is checked. Variants run it with the KB primary stopped, or with
// the LLM failing (a FAKE OpenAI-compatible server behind the llm-down fault), or with the
// human desk in the middle (customers handed to scripted agents; scripts/drill/handoff.ts).
// The dr variant loses the KB primary, restores it from a snapshot and wipes a region's
// replica, measuring RPO and RTO (scripts/drill/dr.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeLlm } from "../fake-llm.ts";
import { freePort, LOAD_TOOL_LIMITS, startStack } from "../stack.ts";
import { httpClient, socketClient, type DrillClient } from "./clients.ts";
import { DR_VARS, runDr, type DrFigures } from "./dr.ts";
import type { MailCounts } from "./email.ts";
import { HANDOFF_VARS, runHandoff, type AgentCounts } from "./handoff.ts";
import { verify, type DrillCounts } from "./verify.ts";

export type Variant = "basic" | "primary-down" | "llm-fault" | "handoff" | "dr";

export interface DrillOptions {
  variant: Variant;
  conversations: number;
  /** Seconds of traffic before the kill, and after the restart. */
  before: number;
  after: number;
  /** Pause between a client's messages. */
  pacingMs: number;
  /** dr: seconds the primary stays lost before the restore, and the backup interval (the RPO target). */
  outage?: number;
  backupEverySeconds?: number;
  log?: (line: string) => void;
}

export interface DrillReport extends DrillCounts, Partial<AgentCounts>, Partial<MailCounts> {
  variant: Variant;
  /** Time from the kill to the restarted server answering /healthz. */
  restartMs: number;
  /** dr: RPO and RTO per step. */
  dr?: DrFigures;
  ok: boolean;
}


const wait = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const log = options.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), "holdfast-drill-"));
  const llm = options.variant === "llm-fault" ? await startFakeLlm() : null;
  log(`${options.variant}: starting the stack`);
  const stack = await startStack({
    port: await freePort(),
    stateDir,
    seed: true,
    vars: {
      TOKEN_SECRET: "drill-secret-0123456789abcdef",
      ...LOAD_TOOL_LIMITS,
      ...(llm && { LLM_PROVIDER: "openai", LLM_BASE_URL: `${llm.url}/v1`, LLM_MODEL: "fake-model", HOLDFAST_FAULTS: "llm-down" }),
      ...(options.variant === "handoff" && HANDOFF_VARS),
      ...(options.variant === "dr" && DR_VARS),
    },
  });
  let stopped = false;
  try {
    const base = stack.url;
    // The region's replica syncs before anything else is stopped.
    await (await httpClient(base, -1, 0)).run((() => {
      let once = false;
      return () => (once ? true : ((once = true), false));
    })());
    if (options.variant === "handoff") {
      const { counts, restartMs } = await runHandoff({ stack, stateDir, conversations: options.conversations, agents: 3, before: options.before, after: options.after, pacingMs: options.pacingMs, log });
      const ok =
        counts.lost === 0 && counts.duplicated === 0 && counts.outOfOrder === 0 && counts.acknowledged > 0 &&
        counts.agentLost === 0 && counts.agentDuplicated === 0 && counts.agentOutOfOrder === 0 && counts.agentAcknowledged > 0 && counts.leftWithGoneAgent === 0 &&
        counts.mailReplies > 0 && counts.mailLost === 0 && counts.mailDuplicated === 0;
      return { variant: options.variant, restartMs, ok, ...counts };
    }
    if (options.variant === "dr") {
      const run = await runDr({ stack, stateDir, conversations: options.conversations, before: options.before, outage: options.outage ?? 6, after: options.after, pacingMs: options.pacingMs, backupEverySeconds: options.backupEverySeconds ?? 5, log });
      return { variant: options.variant, restartMs: 0, ok: run.ok, dr: run.dr, ...run.counts };
    }
    if (options.variant === "primary-down") {
      log("primary-down: stopping the KB primary for the whole drill");
      await stack.primary.close();
    }
    const clients: DrillClient[] = [];
    for (let i = 0; i < options.conversations; i++) clients.push(i % 2 ? await httpClient(base, i, options.pacingMs) : await socketClient(base, i, options.pacingMs));
    log(`${options.variant}: ${clients.length} conversations talking (half WebSocket, half HTTP)`);
    const running = clients.map((c) => c.run(() => stopped));
    await wait(options.before);
    log(`${options.variant}: SIGKILL`);
    const killed = performance.now();
    await stack.worker.kill();
    await stack.restartWorker();
    const restartMs = performance.now() - killed;
    log(`${options.variant}: restarted in ${(restartMs / 1000).toFixed(1)} s; clients reconnect and go on`);
    await wait(options.after);
    stopped = true;
    await Promise.all(running);
    log(`${options.variant}: checking every acknowledged message`);
    const counts = await verify(base, clients);
    const ok = counts.lost === 0 && counts.duplicated === 0 && counts.outOfOrder === 0 && counts.unanswered === 0 && counts.acknowledged > 0;
    return { variant: options.variant, restartMs, ok, ...counts };
  } finally {
    stopped = true;
    await stack.stop();
    await llm?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

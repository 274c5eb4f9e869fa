// ConversationDO's turns, wired: the answer pipeline asks the KB replica of the conversation's
// region (its release arm's) and spends the conversation's share of the region's LLM budget;
// each stored message and reply is published to the customer's sockets and the agent, and each
// finished turn is told to ops, the desk's observers and the release guard.
import { DEFAULT_PLAN_CONFIG } from "../src/answer/plan.ts";
import { AnswerPipeline } from "../src/answer/pipeline.ts";
import type { Config } from "../src/config.ts";
import { messageFacts } from "../src/conversation/message-facts.ts";
import { admitSend, LocalLimit } from "../src/conversation/send-limit.ts";
import { Turns } from "../src/conversation/turns.ts";
import type { DeskObserver } from "../src/desk/observer.ts";
import type { Region } from "../src/edge/regions.ts";
import { MailAwareAnswerer } from "../src/email/answering.ts";
import { pipelinePorts } from "../src/platform/pipeline-ports.ts";
import type { ConversationHandoff } from "./conversation-handoff.ts";
import type { ConversationOps } from "./conversation-ops.ts";
import type { ConversationRelease } from "./conversation-release.ts";
import type { ConversationSockets } from "./conversation-sockets.ts";
import type { ConversationStore } from "./conversation-store.ts";

/** The pipeline that answers this conversation's customer (the turns, and the agent's assist). */
export function conversationAnswerer(ctx: DurableObjectState, env: Env, config: Config, c: { store: ConversationStore; release: ConversationRelease; region: () => Region }): AnswerPipeline {
  // This conversation's share of the region's LLM budget (in memory: eviction only resets it).
  const llmShare = new LocalLimit();
  return new AnswerPipeline(
    pipelinePorts(env, config, ctx, {
      region: c.region,
      jurisdiction: () => c.store.meta()?.jurisdiction ?? null,
      key: () => ctx.id.toString(),
      llmShare: (at) => llmShare.admit(at, config.limits.llmBudgetPerConversation),
      track: () => c.release.track(),
    }),
    { plan: DEFAULT_PLAN_CONFIG, deadlineMs: config.resilience.deadlineMs },
  );
}

export interface TurnParts {
  config: Config;
  store: ConversationStore;
  answerer: AnswerPipeline;
  sockets: ConversationSockets;
  handoff: ConversationHandoff;
  ops: ConversationOps;
  release: ConversationRelease;
  observer: () => DeskObserver;
  /** Activity at `at`, for the idle close (conversation-timers.ts). */
  touched: (at: number) => void;
}

export function conversationTurns(p: TurnParts): Turns {
  return new Turns(
    {
      store: p.store,
      answerer: new MailAwareAnswerer(p.answerer),
      publish: (frame) => {
        p.sockets.publish(frame, "all");
        p.handoff.published(frame);
      },
      touched: p.touched,
      admit: (at) => admitSend(p.store, p.config.limits.conversation, at),
      now: () => Date.now(),
      wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      handover: p.handoff,
      observe: (turn) => {
        p.ops.turn(turn);
        const team = p.handoff.record().team;
        for (const m of [turn.message, turn.reply]) p.observer().messageStored?.({ conversationId: p.store.meta()?.id ?? "", team, message: messageFacts(m), at: Date.parse(m.createdAt) });
        p.release.turn(turn);
      },
    },
    { ackGraceMs: p.config.ackGraceMs },
  );
}

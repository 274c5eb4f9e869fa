// Who hears what a conversation raises (src/desk/observer.ts): ops (its events and the KB gap
// report), the team's webhooks, and the verified customer's history in the subject index.
import type { HandoffReason } from "../src/desk/model.ts";
import { bothObservers, type DeskObserver } from "../src/desk/observer.ts";
import { opsHandoffReason } from "../src/ops/events.ts";
import { historyObserver } from "../src/platform/subjects.ts";
import { webhookObserver } from "../src/platform/webhook-outbox.ts";
import type { ConversationOps } from "./conversation-ops.ts";
import type { ConversationStore } from "./conversation-store.ts";

export interface ObserverDeps {
  env: Env;
  ctx: DurableObjectState;
  /** Read on each call: the object builds its parts after its observer. */
  ops(): ConversationOps;
  store(): ConversationStore;
}

export function conversationObserver(d: ObserverDeps): DeskObserver {
  return bothObservers(
    {
      handoffRequested: (e) => d.ops().handoff(opsHandoffReason(e.reason as HandoffReason), e.at),
      agentReplied: (e) => d.ops().agentReply(e.firstResponseMs, e.at),
      rated: (e) => d.ops().rating(e.score as 1 | 2 | 3 | 4 | 5, e.at),
      // A not-helpful answer's question goes to the gap report: look up what it answered.
      feedback: (e) =>
        void d
          .store()
          .message(e.seq)
          .then((reply) => (reply?.replyTo ? d.store().message(reply.replyTo) : null))
          .then((question) => d.ops().feedback(e.helpful, e.articleId, question?.text ?? null, e.at))
          .catch(() => {}),
    },
    webhookObserver(d.env, d.ctx),
    historyObserver(d.env, d.ctx, () => d.store().subject()),
  );
}

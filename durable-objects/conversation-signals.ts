// What a conversation's customer and agents confirm, told to those who learn from it: a pick
// of a suggested article, a helpful or not-helpful mark, an agent's article are each a vote for
// learning (conversation-learning.ts) and an outcome for the release guard (conversation-release.ts).
import { agentSignal, feedbackSignal, pickSignal } from "../src/kb/learning/signals.ts";
import type { SendInput, TurnResult } from "../src/conversation/types.ts";
import type { ConversationLearning } from "./conversation-learning.ts";
import type { ConversationRelease } from "./conversation-release.ts";
import type { ConversationStore } from "./conversation-store.ts";

/** How many of the latest messages an agent's vote looks back over for the customer's question. */
const LOOK_BACK = 200;

export class ConversationSignals {
  private readonly store: ConversationStore;
  private readonly learning: ConversationLearning;
  private readonly release: ConversationRelease;

  constructor(store: ConversationStore, learning: ConversationLearning, release: ConversationRelease) {
    this.store = store;
    this.learning = learning;
    this.release = release;
  }

  /** A new message that picked a suggested article: a vote for it, if that reply offered it. */
  async picked(input: SendInput, turn: TurnResult, client: string | undefined): Promise<void> {
    if (!input.choice || turn.duplicate) return;
    const offering = await this.store.message(input.choice.inReplyTo).catch(() => null);
    this.learning.signal(pickSignal(offering, input.choice), client);
    this.release.picked(offering, input.choice);
  }

  /** A stored mark on the reply `seq`. */
  async marked(seq: number, helpful: boolean, client: string | undefined): Promise<void> {
    const reply = await this.store.message(seq);
    this.learning.signal(feedbackSignal(reply, helpful), client);
    this.release.feedback(reply, helpful);
  }

  /** An agent's vote for the customer's last question the bot could not settle (src/kb/learning/signals.ts). */
  async agentConfirmed(articleId: string, agentId: string): Promise<void> {
    const meta = this.store.meta();
    if (!meta) return;
    const page = await this.store.page(Math.max(0, this.store.nextSeq() - 1 - LOOK_BACK), LOOK_BACK).catch(() => null);
    if (page) this.learning.signal(agentSignal(page.messages, articleId, meta.locale), `agent:${agentId}`);
  }
}

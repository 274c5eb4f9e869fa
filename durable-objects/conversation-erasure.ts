// The customer's rights over a conversation, as glue for the ConversationDO: the export of
// everything it holds about them, and its erasure — on request, or once its retention period
// after closing has passed — with what was derived from it outside (replica memory, gap
// examples, webhook deliveries, learned questions, the customer's history).
import { conversationMigrations } from "../migrations/conversation/index.ts";
import type { Config } from "../src/config.ts";
import type { Turns } from "../src/conversation/turns.ts";
import type { ConversationExport, Message } from "../src/conversation/types.ts";
import type { Region } from "../src/edge/regions.ts";
import { fail, ok, type Outcome } from "../src/errors.ts";
import { learnDigest } from "../src/kb/learning/digests.ts";
import { forgetGapExamples } from "../src/platform/events.ts";
import { learningSink } from "../src/platform/learning.ts";
import { forgetDerived } from "../src/platform/pipeline-ports.ts";
import { subjectIndexes } from "../src/platform/subjects.ts";
import { forgetWebhookDeliveries } from "../src/platform/webhook-outbox.ts";
import { applyMigrations } from "../src/storage/migrations.ts";
import type { ErasedMarker } from "./conversation-erased.ts";
import type { ConversationHandoff } from "./conversation-handoff.ts";
import type { ConversationKey } from "./conversation-key.ts";
import type { ConversationMail } from "./conversation-mail.ts";
import type { ConversationSockets } from "./conversation-sockets.ts";
import type { ConversationStore } from "./conversation-store.ts";

const BACKLOG_PAGE = 200;

export interface ErasureDeps {
  ctx: DurableObjectState;
  env: Env;
  config: Config;
  store: ConversationStore;
  marker: ErasedMarker;
  key: ConversationKey;
  sockets: ConversationSockets;
  handoff: ConversationHandoff;
  mail: ConversationMail;
  turns: Turns;
  retentionMs: number;
  region(): Region;
  /** Drops what the object's parts keep in memory, once its storage is gone. */
  forget(): void;
}

export class ConversationErasure {
  private readonly d: ErasureDeps;

  constructor(deps: ErasureDeps) {
    this.d = deps;
  }

  /** Everything this conversation holds about its customer (a GDPR/CCPA export). */
  async export(): Promise<Outcome<ConversationExport>> {
    const { store, handoff } = this.d;
    const conversation = store.meta();
    if (!conversation) return fail("conversation_not_found");
    const messages: Message[] = [];
    for (let after: number | null = 0; after !== null; ) {
      const page = await store.page(after, BACKLOG_PAGE);
      messages.push(...handoff.forCustomer(page.messages));
      after = page.nextAfter;
    }
    return ok({ conversation, messages: await this.d.mail.decorate(messages), ...(await handoff.view.heldAbout()) });
  }

  /**
   * Erases the conversation, in its turn order: a turn already queued or under way finishes
   * first (storing only sealed text), and every later one finds no conversation. Then its data
   * key goes, with the erased marker (a commit of its own: from then on nothing stored can be
   * read, even from a point-in-time copy, and nothing more is written), then what was derived
   * from it outside (the replica's memory of its questions, the region's gap examples), then
   * all of its storage.
   */
  erase(options: { learned?: boolean } = {}): Promise<Outcome<{ erased: boolean }>> {
    const { ctx, env, config } = this.d;
    return this.d.turns.inOrder(async () => {
      const held = await this.export();
      if (!held.ok) return ok({ erased: false });
      const { conversation, messages } = held.value;
      // Read before the key goes: without it the conversation has no region (the default's would be asked to forget).
      const region = this.d.region();
      this.d.store.destroyKey(Date.now());
      await ctx.storage.sync();
      await this.d.key.forget(conversation.id);
      this.d.sockets.closeAll(1000, "erased");
      const questions = messages.filter((m) => m.role === "customer").map((m) => m.text);
      await Promise.all([
        forgetDerived(env, config, region, ctx.id.toString(), conversation.locale, questions).catch(() => {}),
        forgetGapExamples(env, config, region, conversation.id),
        forgetWebhookDeliveries(env, this.d.handoff.record().team, conversation.id),
      ]);
      // What it taught (learned questions in its words, its votes); retention keeps them: they are
      // redacted, keyed by digests, and confirmed by others (a subject's erasure removes them too).
      if (options.learned !== false && config.tokenSecret.length >= 16) {
        const digest = await learnDigest(config.tokenSecret, "conversation", conversation.id);
        await learningSink(env, config).erase({ conversations: [digest] }).catch(() => {});
      }
      await ctx.storage.deleteAlarm();
      await ctx.storage.deleteAll();
      // The object lives on, empty but for the marker, until it is evicted: every later call
      // finds no conversation, and nothing is written again.
      applyMigrations(ctx.storage, conversationMigrations);
      this.d.marker.mark(Date.now());
      this.d.forget();
      return ok({ erased: true });
    });
  }

  /** A closed conversation is erased once its retention period has passed (the alarm asks). */
  async retention(): Promise<void> {
    const { store } = this.d;
    const due = (store.closedAt() ?? 0) + this.d.retentionMs;
    if (Date.now() < due) {
      await this.d.ctx.storage.setAlarm(due);
      return;
    }
    const subject = store.subject();
    const id = store.meta()!.id;
    await this.erase({ learned: false });
    if (subject) await Promise.all(subjectIndexes(this.d.env, subject).map((index) => index.remove(id)));
  }
}

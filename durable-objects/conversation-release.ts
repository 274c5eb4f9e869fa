// A conversation's part in a release: its arm, fixed at its start (sticky), which decides the
// KB replica and answer settings it answers with while that release is open; and what it
// tells the release guard — each reply, signs that an answer was wrong (marked not helpful,
// the same article again for the next question, another article picked right after an
// answer), clarification picks, requests for a person. Reports go by hashed id, never text,
// and are never awaited by a turn.
import type { Config } from "../src/config.ts";
import type { ObservedTurn } from "../src/conversation/turns.ts";
import type { Choice, Message } from "../src/conversation/types.ts";
import { hashOpsId } from "../src/platform/events.ts";
import { releaseView, reportOutcomes } from "../src/platform/releases.ts";
import type { OutcomeSignal, ReleaseTag } from "../src/releases/outcomes.ts";
import { trackOf, type Track } from "../src/releases/view.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

/** The last answer, for the next turn's "asked again" sign. */
interface LastAnswer {
  seq: number;
  articleId: string;
}

export class ConversationRelease {
  private readonly ctx: DurableObjectState;
  private readonly env: Env;
  private readonly config: Config;
  private readonly conversationId: () => string | null;
  private readonly marker: ErasedMarker;
  private row: { tag: ReleaseTag; last: LastAnswer | null } | null | undefined;
  private hashed: string | null = null;

  constructor(ctx: DurableObjectState, env: Env, config: Config, conversationId: () => string | null, marker: ErasedMarker) {
    this.ctx = ctx;
    this.env = env;
    this.config = config;
    this.conversationId = conversationId;
    this.marker = marker;
  }

  /** Records the arm the Worker chose at the start (none: no release was open). */
  created(tag: ReleaseTag | undefined): void {
    if (!tag) return;
    this.marker.check();
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO release_tag (id, tag, last_answer) VALUES (1, ?, NULL)", JSON.stringify(tag));
    this.row = { tag, last: null };
  }

  tag(): ReleaseTag | null {
    return this.load()?.tag ?? null;
  }

  /** What the conversation answers with now. */
  async track(): Promise<Track> {
    return trackOf(this.tag(), await releaseView(this.env));
  }

  /** A reply was stored. */
  turn({ message, reply, storedAt }: ObservedTurn): void {
    const row = this.load();
    if (!row) return;
    const meta = reply.meta;
    const signals: OutcomeSignal[] = [{ kind: "turn", decision: meta?.decision ?? "none", latencyMs: storedAt - Date.parse(message.createdAt) }];
    const cited = meta?.decision === "answer" ? (meta.citations?.[0]?.articleId ?? null) : null;
    // The same article again for the next question: the first answer did not settle it.
    if (row.last && cited === row.last.articleId) signals.push({ kind: "wrong" });
    this.saveLast(cited ? { seq: reply.seq, articleId: cited } : null);
    this.report(signals);
  }

  /** The customer marked a reply. */
  feedback(reply: Message | null, helpful: boolean): void {
    if (!helpful && reply?.meta?.decision === "answer") this.report([{ kind: "wrong" }]);
  }

  /** The customer picked an article the reply `offering` offered. */
  picked(offering: Message | null, choice: Choice): void {
    const meta = offering?.meta;
    if (meta?.decision === "answer" && meta.citations?.[0]?.articleId !== choice.articleId) this.report([{ kind: "wrong" }]);
    else if (meta?.decision === "clarify" || meta?.decision === "out_of_scope") this.report([{ kind: "pick" }]);
  }

  /** The customer asked for a person. */
  handoff(): void {
    this.report([{ kind: "handoff" }]);
  }

  private report(signals: OutcomeSignal[]): void {
    const tag = this.tag();
    if (!tag) return;
    const done = (async () => {
      // Only while its release is open (the guard drops the rest anyway).
      if ((await releaseView(this.env)).release?.id !== tag.id) return;
      const conversation = await this.conversationHash();
      if (!conversation) return;
      await reportOutcomes(this.env, signals.map((signal) => ({ release: tag.id, arm: tag.arm, conversation, signal })));
    })();
    this.ctx.waitUntil(done.catch(() => {}));
  }

  private async conversationHash(): Promise<string | null> {
    if (this.hashed) return this.hashed;
    const id = this.conversationId();
    return id ? (this.hashed = await hashOpsId(this.config, "conversation", id)) : null;
  }

  private saveLast(last: LastAnswer | null): void {
    if (!this.row || this.marker.erased) return;
    this.ctx.storage.sql.exec("UPDATE release_tag SET last_answer = ? WHERE id = 1", last && JSON.stringify(last));
    this.row.last = last;
  }

  private load(): { tag: ReleaseTag; last: LastAnswer | null } | null {
    if (this.row === undefined) {
      const r = this.ctx.storage.sql.exec<{ tag: string; last_answer: string | null }>("SELECT tag, last_answer FROM release_tag WHERE id = 1").toArray()[0];
      this.row = r ? { tag: JSON.parse(r.tag) as ReleaseTag, last: r.last_answer ? (JSON.parse(r.last_answer) as LastAnswer) : null } : null;
    }
    return this.row;
  }

  /** The conversation was erased: what was kept in memory goes with it. */
  forget(): void {
    this.row = undefined;
    this.hashed = null;
  }
}

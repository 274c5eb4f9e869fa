// The conversation's own limit on each kind of customer frame other than a message — handoff,
// rating, typing, offline_message, and feedback (HTTP only) — as a GCRA per kind (src/conversation/send-limit.ts), for
// the WebSocket frames and their HTTP mirrors alike. Each kind's state is one number, kept in
// memory and written when a frame is admitted (migrations/conversation/0009_frame_limits.sql),
// so that a hibernated or evicted object does not start a flood with a full allowance.
import type { LimitedFrame } from "../src/conversation/protocol.ts";
import { admitSend } from "../src/conversation/send-limit.ts";
import type { RateDecision, RatePolicy } from "../src/edge/gcra.ts";
import type { Outcome } from "../src/errors.ts";
import type { ErasedMarker } from "./conversation-erased.ts";

/** A customer frame refused by a limit, with when to retry. */
export type Refusal = Extract<Outcome<never>, { ok: false }>;
export const refusal = (retryAfterMs: number): Refusal => ({ ok: false, code: "rate_limited", retryAfterMs });

export class FrameLimits {
  private readonly sql: SqlStorage;
  private readonly policy: RatePolicy;
  private readonly marker: ErasedMarker;
  private tats: Map<string, number> | null = null;

  constructor(sql: SqlStorage, policy: RatePolicy, marker: ErasedMarker) {
    this.sql = sql;
    this.policy = policy;
    this.marker = marker;
  }

  /** Counts a frame of `kind` at `at`; a refused one changes nothing. */
  admit(kind: LimitedFrame, at: number): RateDecision {
    const tats = (this.tats ??= new Map(this.sql.exec<{ kind: string; tat: number }>("SELECT kind, tat FROM frame_limits").toArray().map((r) => [r.kind, r.tat])));
    return admitSend(
      {
        sendTat: () => tats.get(kind),
        setSendTat: (tat) => {
          this.marker.check();
          this.sql.exec("INSERT OR REPLACE INTO frame_limits (kind, tat) VALUES (?, ?)", kind, tat);
          tats.set(kind, tat);
        },
      },
      this.policy,
      at,
    );
  }

  /** The conversation was erased: what was kept in memory goes with it. */
  forget(): void {
    this.tats = null;
  }
}

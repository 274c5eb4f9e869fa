// Ops events leave an isolate in batches: one RegionOpsDO call per region every `delayMs`
// (or sooner once `maxItems` are waiting), never one per event. The buffer is the isolate's,
// but every promise belongs to one request: `add` only says what the caller must do — send
// now, schedule the send in its own context (and wait for it there), or watch: check in its
// own context, `staleMs` later, that a send did happen, and send itself if not (the context
// that scheduled it may have ended, its timer with it). So no request ever waits on a timer
// another request owns (workerd cancels such a wait: "Promise will never complete"), and no
// part waits for another part to come along. Memory is bounded: past `maxPending` items the
// newest are dropped and counted.
import type { BreakerState } from "../resilience/breaker.ts";
import type { OpsEvent } from "./events.ts";
import type { GapQuestion } from "./gaps.ts";

/** What a RegionOpsDO receives: events, gap questions (redacted), the sender's breaker states. */
export interface OpsBatch {
  events: OpsEvent[];
  gaps: GapQuestion[];
  /** The sending isolate's circuit breakers, as last seen (null: none reported). */
  breakers: Record<string, BreakerState> | null;
}

export interface BatcherOptions {
  delayMs: number;
  maxItems: number;
  maxPending: number;
  /** A scheduled send not taken after this long is taken as lost (its request ended early): schedule anew. */
  staleMs: number;
}

export const DEFAULT_BATCHER: BatcherOptions = { delayMs: 250, maxItems: 200, maxPending: 5_000, staleMs: 2_000 };

export type BatchPart = { event: OpsEvent } | { gap: GapQuestion } | { breakers: Record<string, BreakerState> };

/**
 * What the caller of `add` does: send now, schedule a send in `delayMs`, or (one is
 * scheduled elsewhere) call `takeIfStale` after `afterMs`, in case that send never happens.
 */
export type AddDecision = { action: "send" } | { action: "schedule"; delayMs: number } | { action: "watch"; afterMs: number };

export class EventBatcher {
  private readonly options: BatcherOptions;
  private pending = new Map<string, OpsBatch>();
  private items = 0;
  private scheduledAt: number | null = null;
  /** Items dropped because too many were waiting. */
  dropped = 0;

  constructor(options: Partial<BatcherOptions> = {}) {
    this.options = { ...DEFAULT_BATCHER, ...options };
  }

  /** Queues a part for `destination` at `now`, and says what the caller must do for it to be sent. */
  add(destination: string, part: BatchPart, now: number): AddDecision {
    let batch = this.pending.get(destination);
    if (!batch) this.pending.set(destination, (batch = { events: [], gaps: [], breakers: null }));
    if ("breakers" in part) batch.breakers = { ...batch.breakers, ...part.breakers };
    else if (this.items >= this.options.maxPending) this.dropped++;
    else {
      if ("event" in part) batch.events.push(part.event);
      else batch.gaps.push(part.gap);
      this.items++;
    }
    if (this.items >= this.options.maxItems) return { action: "send" };
    if (this.scheduledAt !== null && now - this.scheduledAt < this.options.staleMs) return { action: "watch", afterMs: this.options.staleMs };
    this.scheduledAt = now;
    return { action: "schedule", delayMs: this.options.delayMs };
  }

  /** A watcher's check at `now`: everything waiting, if the scheduled send is overdue (never taken); else nothing. */
  takeIfStale(now: number): Array<[string, OpsBatch]> {
    if (this.items === 0 && this.pending.size === 0) return [];
    if (this.scheduledAt !== null && now - this.scheduledAt < this.options.staleMs) return [];
    return this.take();
  }

  /** Items waiting to be sent. */
  get size(): number {
    return this.items;
  }

  /** Everything waiting, by destination, to send now; the next `add` schedules again. */
  take(): Array<[string, OpsBatch]> {
    const batches = [...this.pending];
    this.pending = new Map();
    this.items = 0;
    this.scheduledAt = null;
    return batches;
  }
}

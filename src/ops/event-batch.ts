// Ops events leave an isolate in batches: one RegionOpsDO call per region every
// `delayMs` (or sooner once `maxItems` are waiting), never one per event. A batch that
// cannot be sent is dropped: events are best effort and must never hold anything up.
// Memory is bounded: past `maxPending` items the newest are dropped and counted.
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

export interface BatcherPorts {
  send(destination: string, batch: OpsBatch): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** A send failed (the batch is dropped); for a log line with a code, never the batch. */
  failed(error: unknown): void;
}

export interface BatcherOptions {
  delayMs: number;
  maxItems: number;
  maxPending: number;
}

export const DEFAULT_BATCHER: BatcherOptions = { delayMs: 250, maxItems: 200, maxPending: 5_000 };

export type BatchPart = { event: OpsEvent } | { gap: GapQuestion } | { breakers: Record<string, BreakerState> };

export class EventBatcher {
  private readonly ports: BatcherPorts;
  private readonly options: BatcherOptions;
  private pending = new Map<string, OpsBatch>();
  private items = 0;
  private scheduled: Promise<void> | null = null;
  /** Items dropped because too many were waiting. */
  dropped = 0;

  constructor(ports: BatcherPorts, options: Partial<BatcherOptions> = {}) {
    this.ports = ports;
    this.options = { ...DEFAULT_BATCHER, ...options };
  }

  /** Queues a part for `destination`; resolves once it has been sent (or dropped). Never rejects. */
  add(destination: string, part: BatchPart): Promise<void> {
    let batch = this.pending.get(destination);
    if (!batch) this.pending.set(destination, (batch = { events: [], gaps: [], breakers: null }));
    if ("breakers" in part) batch.breakers = { ...batch.breakers, ...part.breakers };
    else if (this.items >= this.options.maxPending) this.dropped++;
    else {
      if ("event" in part) batch.events.push(part.event);
      else batch.gaps.push(part.gap);
      this.items++;
    }
    if (this.items >= this.options.maxItems) return this.flush();
    return (this.scheduled ??= this.ports.sleep(this.options.delayMs).then(() => this.flush()));
  }

  /** Items waiting to be sent. */
  get size(): number {
    return this.items;
  }

  /** Sends everything waiting now. Never rejects. */
  flush(): Promise<void> {
    this.scheduled = null;
    const batches = [...this.pending];
    this.pending = new Map();
    this.items = 0;
    return Promise.all(batches.map(([destination, batch]) => this.ports.send(destination, batch).catch((err: unknown) => this.ports.failed(err)))).then(() => undefined);
  }
}

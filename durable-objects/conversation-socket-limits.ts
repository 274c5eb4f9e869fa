// The limits on a conversation's customer WebSockets: each send (and each handoff, rating or
// offline_message frame) counts against its client's per-IP limit, as its HTTP mirror does (decided here, reported to the region's limiter in
// batches: src/edge/batched-limit.ts), and a socket that keeps sending invalid frames is
// closed rather than answered forever.
import type { Config } from "../src/config.ts";
import { MAX_INVALID_FRAMES } from "../src/conversation/protocol.ts";
import { BatchedLimit } from "../src/edge/batched-limit.ts";
import type { RateDecision } from "../src/edge/gcra.ts";
import type { Region } from "../src/edge/regions.ts";
import { limitHit } from "../src/platform/limiter.ts";

/** How long a conversation gathers WebSocket sends before reporting them to the per-IP limiter. */
const IP_REPORT_MS = 250;

export class SocketLimits {
  private readonly env: Env;
  private readonly config: Config;
  private readonly region: () => Region;
  /** WebSocket sends per client key, reported to the region's per-IP limiter in batches. */
  private readonly ipLimit = new BatchedLimit();
  private ipFlush: Promise<void> | null = null;
  /** Invalid frames per socket (since it woke: hibernation forgets, which errs lenient). */
  private readonly invalidFrames = new Map<WebSocket, number>();

  constructor(env: Env, config: Config, region: () => Region) {
    this.env = env;
    this.config = config;
    this.region = region;
  }

  /** Decides a WebSocket send (or another counted frame) against its client's per-IP limit, and reports it soon. */
  send(client: string): RateDecision {
    const now = Date.now();
    const decision = this.ipLimit.admit(client, now);
    this.ipFlush ??= new Promise<void>((resolve) => setTimeout(resolve, IP_REPORT_MS)).then(async () => {
      this.ipFlush = null;
      for (const { key, count } of this.ipLimit.take()) this.ipLimit.settle(key, await limitHit(this.env, this.config, this.region(), key, this.config.limits.ip, count), Date.now());
    });
    return decision.allowed ? { allowed: true, tat: 0, remaining: 0, retryAfterMs: 0, resetMs: 0 } : { allowed: false, tat: 0, remaining: 0, retryAfterMs: decision.retryAfterMs, resetMs: decision.retryAfterMs };
  }

  /** Counts an invalid frame from a socket; true once it has sent too many. */
  invalid(ws: WebSocket): boolean {
    const invalid = (this.invalidFrames.get(ws) ?? 0) + 1;
    this.invalidFrames.set(ws, invalid);
    return invalid >= MAX_INVALID_FRAMES;
  }

  /** The socket closed. */
  forget(ws: WebSocket): void {
    this.invalidFrames.delete(ws);
  }
}

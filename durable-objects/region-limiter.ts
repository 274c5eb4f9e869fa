// RegionLimiterDO: rate limits for one shard of a region's keys (client IPs, API keys, the
// region's LLM budget). Glue only: GCRA lives in src/edge/gcra.ts. Time is passed in by the
// caller (the Worker's clock; a test's fake one).
import { DurableObject } from "cloudflare:workers";
import { limiterMigrations } from "../migrations/limiter/index.ts";
import { gcra, type RateDecision, type RatePolicy } from "../src/edge/gcra.ts";
import { applyMigrations } from "../src/storage/migrations.ts";

const CLEANUP_EVERY_MS = 3_600_000;

export class RegionLimiterDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMigrations(ctx.storage, limiterMigrations);
  }

  /** Counts one request for `key` under `policy` at `now`; a rejected one changes nothing. */
  hit(key: string, policy: RatePolicy, now: number = Date.now()): RateDecision {
    const sql = this.ctx.storage.sql;
    const tat = sql.exec<{ tat: number }>("SELECT tat FROM buckets WHERE key = ?", key).toArray()[0]?.tat;
    const decision = gcra(tat, policy, now);
    if (decision.allowed) {
      sql.exec("INSERT INTO buckets (key, tat) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET tat = excluded.tat", key, decision.tat);
      void this.scheduleCleanup();
    }
    return decision;
  }

  override async alarm(): Promise<void> {
    // A bucket whose arrival time has passed is full again: the same as no row at all.
    this.ctx.storage.sql.exec("DELETE FROM buckets WHERE tat < ?", Date.now());
  }

  private async scheduleCleanup(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + CLEANUP_EVERY_MS);
  }
}

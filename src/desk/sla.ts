// Service-level clocks per conversation: first response (from the request for a person to
// the first agent reply) and next response (from a customer message to the agent's answer).
// One clock runs at a time; each passes `warning` and then `breached` once.
import type { DeskConfig, SlaKind, SlaState, SlaTimer } from "./model.ts";

/** The target of a clock, in ms. */
export function slaTargetMs(kind: SlaKind, config: DeskConfig): number {
  return kind === "first_response" ? config.sla.firstResponseMs : config.sla.nextResponseMs;
}

/** When a clock's target is missed, or null when no clock runs. */
export function slaDueAt(timer: SlaTimer | null, config: DeskConfig): number | null {
  return timer ? timer.since + slaTargetMs(timer.kind, config) : null;
}

function warnAt(timer: SlaTimer, config: DeskConfig): number {
  const ratio = Math.min(1, Math.max(0, config.sla.warningRatio));
  return timer.since + slaTargetMs(timer.kind, config) * ratio;
}

/** The clock's state at `now`, from time alone (so it is right between ticks too). */
export function slaStateOf(timer: SlaTimer | null, now: number, config: DeskConfig): SlaState {
  if (!timer) return "ok";
  if (timer.breached || now >= slaDueAt(timer, config)!) return "breached";
  if (timer.warned || now >= warnAt(timer, config)) return "warning";
  return "ok";
}

/** The next time the clock passes a mark it has not yet recorded, or null. */
export function slaNextMark(timer: SlaTimer | null, config: DeskConfig): number | null {
  if (!timer || timer.breached) return null;
  return timer.warned ? slaDueAt(timer, config) : warnAt(timer, config);
}

/**
 * Records the marks the clock has passed by `now`; returns it with `breach: true` when it
 * newly missed its target (to be counted once).
 */
export function advanceSla(timer: SlaTimer, now: number, config: DeskConfig): { timer: SlaTimer; breach: boolean } {
  if (timer.breached) return { timer, breach: false };
  const breach = now >= slaDueAt(timer, config)!;
  const warned = timer.warned || breach || now >= warnAt(timer, config);
  return { timer: { ...timer, warned, breached: breach }, breach };
}

/** A fresh clock started at `since`. */
export function startSla(kind: SlaKind, since: number): SlaTimer {
  return { kind, since, warned: false, breached: false };
}

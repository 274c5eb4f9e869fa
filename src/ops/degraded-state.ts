// Whether a region is replying in degraded mode, derived from its replies where they all
// meet (the RegionOpsDO): the state switches after `switchAfter` replies in a row of the
// other mode, so a region with a few odd replies does not flap on every turn.
import type { DegradedReason } from "../answer/degraded.ts";
import type { Mode } from "./events.ts";

export interface DegradedSwitch {
  degraded: boolean;
  /** Why it is degraded (the latest degraded reply's reason); null when it recovered. */
  reason: DegradedReason | null;
}

export class DegradedState {
  private degraded: boolean;
  private reason: DegradedReason | null;
  private readonly switchAfter: number;
  private streak = 0;

  /** Starts from the state last known (a restart keeps the region's state, not its streak). */
  constructor(initial: DegradedSwitch = { degraded: false, reason: null }, switchAfter = 2) {
    this.degraded = initial.degraded;
    this.reason = initial.reason;
    this.switchAfter = Math.max(1, switchAfter);
  }

  /** A reply's mode and reason; the switch when this reply completes one, else null. */
  observe(mode: Mode, reason: DegradedReason | null): DegradedSwitch | null {
    const isDegraded = mode === "degraded";
    if (isDegraded) this.reason = reason ?? this.reason;
    if (isDegraded === this.degraded) {
      this.streak = 0;
      return null;
    }
    if (++this.streak < this.switchAfter) return null;
    this.streak = 0;
    this.degraded = isDegraded;
    if (!isDegraded) this.reason = null;
    return { degraded: this.degraded, reason: this.reason };
  }

  get current(): DegradedSwitch {
    return { degraded: this.degraded, reason: this.reason };
  }
}

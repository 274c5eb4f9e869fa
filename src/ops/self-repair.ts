// An alarm's self-repair, between evaluating the alerts and sending their notices: for each
// alert that fired or escalated — and each still open whose cause was last looked at
// LOOK_AGAIN_MS ago (a resync that did not help becomes a rebuild) — gather the signals (the
// rollup's and the platform's), rank them into a likely cause, decide and carry out the safe
// actions, and record both on the alert. A resolved alert undoes what it switched off.
import type { RemediationMode } from "../config.ts";
import type { Region } from "../edge/regions.ts";
import type { AlertRule } from "./alert-rules.ts";
import type { Alert, Notice } from "./alerts.ts";
import { likelyCause, rollupSignals, type LikelyCause, type Signal, type SignalSource } from "./likely-cause.ts";
import { carryOut, decideRemediation, type RemediationPorts } from "./remediation.ts";

/** An open alert's cause is looked at again (and acted on) this long after the last look. */
export const LOOK_AGAIN_MS = 5 * 60_000;

export interface RepairPorts extends RemediationPorts {
  /** Signals from outside the rollup, for an alert: faults on, replicas, an open release, desks. Never throws. */
  signals(alert: Alert): Promise<Signal[]>;
}

export interface RepairInput {
  notices: readonly Notice[];
  /** The region's open alerts after the evaluation. */
  open: readonly Alert[];
  rules: readonly AlertRule[];
  source: SignalSource;
  mode: RemediationMode;
  /** Replica shards of the region. */
  shards: number;
  isRegion: (r: string) => r is Region;
  now: number;
}

export interface Repaired {
  /** The notices with their alerts annotated (to publish). */
  notices: Notice[];
  /** Open alerts looked at again without a notice (to store). */
  updated: Alert[];
}

/** An operator's reads: nothing correlates with them; the hint says what was seen. */
function readsCause(alert: Alert, rule: AlertRule | undefined, now: number): LikelyCause {
  const window = rule?.windowMinutes ?? 60;
  return { at: now, hint: `operator ${alert.subject ?? "?"} read ${alert.value} conversations' transcripts in ${window} min (level ${alert.threshold})`, signals: [] };
}

async function look(alert: Alert, moment: "fired" | "escalated" | "open", input: RepairInput, ports: RepairPorts): Promise<Alert> {
  const rule = input.rules.find((r) => r.id === alert.ruleId);
  if (alert.kind === "reads") return { ...alert, likelyCause: readsCause(alert, rule, input.now) };
  const signals = [...rollupSignals(input.source, alert.region, rule?.windowMinutes ?? 5, input.now), ...(await ports.signals(alert))];
  const cause = likelyCause(alert.metric, signals, input.now);
  const actions = decideRemediation({ moment, alert, cause, shards: input.shards, mode: input.mode }, input.isRegion);
  const steps = await carryOut(actions, input.mode, ports, input.now);
  return { ...alert, likelyCause: cause, remediation: [...alert.remediation, ...steps] };
}

/** Annotates the notices' alerts and looks again at open alerts due for it; see the module comment. */
export async function selfRepair(input: RepairInput, ports: RepairPorts): Promise<Repaired> {
  const notices: Notice[] = [];
  const noticed = new Set<string>();
  for (const n of input.notices) {
    noticed.add(n.alert.id);
    if (n.kind === "resolved") {
      const actions = decideRemediation({ moment: "resolved", alert: n.alert, cause: n.alert.likelyCause, shards: input.shards, mode: input.mode }, input.isRegion);
      const steps = await carryOut(actions, input.mode, ports, input.now);
      notices.push({ ...n, alert: { ...n.alert, remediation: [...n.alert.remediation, ...steps] } });
    } else notices.push({ ...n, alert: await look(n.alert, n.kind, input, ports) });
  }
  const updated: Alert[] = [];
  for (const alert of input.open) {
    // A condition already clearing is left to resolve.
    if (noticed.has(alert.id) || alert.kind === "reads" || alert.clearSince !== null) continue;
    if (alert.likelyCause && input.now - alert.likelyCause.at < LOOK_AGAIN_MS) continue;
    updated.push(await look(alert, "open", input, ports));
  }
  return { notices, updated };
}

// The DR drill (`npm run drill -- --variant dr`): while customers talk over WebSocket and HTTP,
// an editor publishes articles and the backup schedule snapshots the KB primary,
//   1. the primary's file is deleted and its server killed: customers keep being answered
//      from the replicas, labelled degraded once a replica's sync fails; an alert opens;
//   2. the latest snapshot is restored (verified first): writes are accepted again and every
//      replica catches up with the restored primary (a new epoch: they resync whole);
//   3. a region's replica loses its storage: it rebuilds from the primary, the neighbouring
//      region answering for it meanwhile.
// For each step it measures RPO (KB changes lost, and how much history) and RTO (from the loss
// to writes accepted, and to every replica in sync), and checks every acknowledged customer
// message. The targets are in docs/runbooks/disaster-recovery.md.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { verifyAudit } from "../../src/operators/repository.ts";
import { buildVerified, putInPlace, stampRestored } from "../backup/restore.ts";
import { resolveSnapshot } from "../backup/snapshots.ts";
import { openKb } from "../kb.ts";
import type { Stack } from "../stack.ts";
import { httpClient, socketClient, type DrillClient } from "./clients.ts";
import { alertFired, backupDir, backupSchedule, kbEditor, kbStatus, until, type KbStatus } from "./kb-editor.ts";
import { transcriptOf, verify, type DrillCounts, type Stored } from "./verify.ts";

export const DR_ADMIN_KEY = "drill-admin-key-0123456789abcdef";
/**
 * Replicas notice a lost primary at their next sync: every 2 s here (30 s by default). The
 * editor publishes straight to the live KB (KB releases off, the single-editor mode), so every
 * acknowledged write is a live article the next snapshot must hold and the replicas must get;
 * with releases on, staged writes are rows like any other in the dump.
 */
export const DR_VARS = { ADMIN_API_KEY: DR_ADMIN_KEY, KB_SYNC_INTERVAL_SECONDS: "2", KB_RELEASES: "off" };
/** Writes accepted again, and every replica in sync, within this of the loss. */
export const RTO_TARGET_SECONDS = 60;
/** The alert is evaluated once a minute: wait that long (and a little) after the loss. */
const ALERT_PATIENCE_MS = 75_000;

export interface DrOptions {
  stack: Stack;
  stateDir: string;
  conversations: number;
  /** Seconds of traffic before the loss, of the outage, and after the last step. */
  before: number;
  outage: number;
  after: number;
  pacingMs: number;
  /** The backup interval: the RPO target. */
  backupEverySeconds: number;
  log: (line: string) => void;
}

export interface StepFigures {
  step: string;
  /** KB changes acknowledged before the loss and gone after it (RPO), and the history that spans. */
  changesLost: number;
  historyLostSeconds: number;
  /** From the loss to writes accepted again, and to every replica (or the wiped one) in sync. */
  rtoWritesSeconds: number;
  rtoInSyncSeconds: number | null;
  /** Bot replies made during the step, those labelled degraded, those the neighbouring region gave. */
  replies: number;
  degraded: number;
  neighbour: number;
  problems: Problem[];
}

/** What went wrong in a step; `target`: a time beyond the RPO or RTO target (not a loss). */
export interface Problem {
  what: string;
  target: boolean;
}

const loss = (what: string): Problem => ({ what, target: false });
const late = (what: string): Problem => ({ what, target: true });

export interface DrFigures {
  steps: StepFigures[];
  restoredFrom: string;
  alertAfterSeconds: number | null;
  rpoTargetSeconds: number;
  rtoTargetSeconds: number;
  writes: { acknowledged: number; refused: number };
}

const wait = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const replicaOf = (s: KbStatus, region: string) => s.replicas.find((r) => r.region === region && r.shard === 0)!;

interface Reply extends Stored {
  createdAt: string;
  meta?: { mode: string; answerer: string; degraded?: { reason: string }; kb?: { stale: boolean } };
}

/** Bot replies made in [from, to). */
const during = (replies: Reply[], from: number, to: number) => replies.filter((r) => Date.parse(r.createdAt) >= from && Date.parse(r.createdAt) < to);

export async function runDr(o: DrOptions): Promise<{ counts: DrillCounts; dr: DrFigures; ok: boolean }> {
  const base = o.stack.url;
  const key = DR_ADMIN_KEY;
  const kbPath = join(o.stateDir, "kb.db");
  const region = ((await (await fetch(`${base}/readyz`)).json()) as { region: string }).region;
  if (!(await until(async () => (await kbStatus(base, key)).replicas.every((r) => r.inSync), 120_000))) throw new Error("the replicas did not sync before the drill");
  const backups = backupSchedule(kbPath, backupDir(o.stateDir), o.backupEverySeconds * 1000);
  const editor = kbEditor(base, key, 1_000);
  let stopped = false;
  const clients: DrillClient[] = [];
  for (let i = 0; i < o.conversations; i++) clients.push(i % 2 ? await httpClient(base, i, o.pacingMs) : await socketClient(base, i, o.pacingMs));
  const talking = [...clients.map((c) => c.run(() => stopped)), editor.run(() => stopped)];
  o.log(`dr: ${clients.length} conversations talking, an editor publishing, a snapshot every ${o.backupEverySeconds} s`);
  await wait(o.before);

  // 1. The primary is lost: its file deleted, its server killed.
  await backups.stop();
  const lossAt = Date.now();
  await o.stack.primary.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${kbPath}${suffix}`, { force: true });
  o.log(`dr: 1. primary lost (file deleted, server killed) after ${backups.taken.length} snapshots`);
  const alert = until(() => alertFired(base, key, "primary_unreachable", lossAt), ALERT_PATIENCE_MS, 2_000);
  const noticedAt = await until(async () => (replicaOf(await kbStatus(base, key), region).failures > 0 ? Date.now() : false), o.outage * 1000);
  await wait(Math.max(0, o.outage - seconds(Date.now() - lossAt)));

  // 2. Restore from the latest snapshot, verified first; the endpoint comes back on its port.
  const latest = resolveSnapshot("latest", backups.dir);
  const staged = join(o.stateDir, ".restoring.db");
  const check = await buildVerified(latest.dump, latest.manifest!, staged);
  if (!check.ok) throw new Error(`the latest snapshot was refused (${check.reason}): ${check.detail}`);
  await stampRestored(staged, { action: "kb.restore", target: latest.manifest!.name }, Date.now());
  await putInPlace(staged, kbPath, null);
  await o.stack.restartPrimary();
  const restoredAt = Date.now();
  o.log(`dr: 2. restored ${latest.manifest!.name} in ${seconds(restoredAt - lossAt - o.outage * 1000)} s (after a ${o.outage} s outage)`);
  const accepted = await until(async () => editor.acceptedAfter(restoredAt), 90_000, 100);
  const caughtUpAt = accepted && (await until(async () => {
    const s = await kbStatus(base, key);
    return s.replicas.every((r) => r.epoch === s.primary.epoch && r.kbVersion >= accepted.version) ? Date.now() : false;
  }, 90_000));
  const snapshotAt = Date.parse(latest.manifest!.createdAt);
  const restored = await restoredFacts(kbPath, editor.writes.filter((w) => w.version <= latest.manifest!.kbVersion && w.at < lossAt));
  const lost = editor.writes.filter((w) => w.at < lossAt && w.version > latest.manifest!.kbVersion);
  const served = await replicaIds(base, key, region);
  o.log(`dr: 2. writes accepted ${accepted ? seconds(accepted.at - lossAt) : "never"} s after the loss, replicas in sync after ${caughtUpAt ? seconds(caughtUpAt - lossAt) : "never"} s`);

  // 3. The region's replica loses its storage; it rebuilds from the primary.
  const beforeWipe = await kbStatus(base, key);
  const wipeAt = Date.now();
  await fetch(`${base}/v1/dev/replicas/${region}/wipe`, { method: "POST" });
  const rebuiltAt = await until(async () => {
    const s = await kbStatus(base, key);
    const r = replicaOf(s, region);
    return r.lastSyncAt !== null && r.epoch === s.primary.epoch && r.kbVersion >= beforeWipe.primary.version! ? Date.now() : false;
  }, 90_000, 100);
  const missingAfterRebuild = await missingFromReplica(base, key, region, kbPath, beforeWipe.primary.version!);
  o.log(`dr: 3. ${region}'s replica wiped, rebuilt in ${rebuiltAt ? seconds(rebuiltAt - wipeAt) : "never"} s`);
  await wait(o.after);
  stopped = true;
  await Promise.all(talking);

  o.log("dr: checking every acknowledged message, the replies' labels and the alert");
  const counts = await verify(base, clients);
  const replies = (await Promise.all(clients.map((c) => transcriptOf(base, c)))).flat().filter((m) => m.role === "assistant") as Reply[];
  const alertAt = await alert;
  const rpoTarget = o.backupEverySeconds;

  const outage = during(replies, lossAt, restoredAt);
  // Once the region's replica has seen a sync fail, every reply must say its copy may be stale.
  const unlabelled = noticedAt ? during(replies, noticedAt + 1_000, restoredAt).filter((r) => r.meta?.mode !== "degraded").length : 0;
  const step1: StepFigures = {
    step: "1. primary lost",
    changesLost: 0,
    historyLostSeconds: 0,
    rtoWritesSeconds: 0,
    rtoInSyncSeconds: null,
    replies: outage.length,
    degraded: outage.filter((r) => r.meta?.mode === "degraded").length,
    neighbour: outage.filter((r) => r.meta?.answerer === "neighbour").length,
    problems: [
      ...(alertAt ? [] : [loss("no primary_unreachable alert opened")]),
      ...(outage.some((r) => r.meta?.degraded?.reason === "primary_unreachable") ? [] : [loss("no reply was labelled primary_unreachable")]),
      ...(unlabelled ? [loss(`${unlabelled} replies not labelled degraded after the replica noticed`)] : []),
    ],
  };
  const history = seconds(lossAt - snapshotAt);
  const restoring = during(replies, restoredAt, caughtUpAt ?? Date.now());
  const step2: StepFigures = {
    step: "2. restore from the latest snapshot",
    changesLost: lost.length,
    historyLostSeconds: history,
    rtoWritesSeconds: accepted ? seconds(accepted.at - lossAt) : Infinity,
    rtoInSyncSeconds: caughtUpAt ? seconds(caughtUpAt - lossAt) : Infinity,
    replies: restoring.length,
    degraded: restoring.filter((r) => r.meta?.mode === "degraded").length,
    neighbour: restoring.filter((r) => r.meta?.answerer === "neighbour").length,
    problems: [
      ...(restored.missing ? [loss(`${restored.missing} writes the snapshot holds are missing`)] : []),
      ...(lost.some((w) => w.at < snapshotAt) ? [loss("a write acknowledged before the snapshot began was lost")] : []),
      ...(history > rpoTarget + 1 ? [late(`${history} s of history lost, beyond the ${rpoTarget} s RPO`)] : []),
      ...(restored.audit ? [] : [loss("the restored audit chain does not verify")]),
      ...(lost.some((w) => served.has(w.id)) ? [loss("the replica still serves articles lost with the primary")] : []),
      ...(accepted ? [] : [loss("writes were never accepted again")]),
      ...(caughtUpAt ? [] : [loss("the replicas never caught up")]),
      ...(step2RtoProblems(accepted?.at, caughtUpAt, lossAt)),
    ],
  };
  const rebuilding = during(replies, wipeAt, (rebuiltAt ?? Date.now()) + 2_000);
  const step3: StepFigures = {
    step: `3. ${region} replica wiped`,
    changesLost: missingAfterRebuild,
    historyLostSeconds: 0,
    rtoWritesSeconds: 0,
    rtoInSyncSeconds: rebuiltAt ? seconds(rebuiltAt - wipeAt) : Infinity,
    replies: rebuilding.length,
    degraded: rebuilding.filter((r) => r.meta?.mode === "degraded").length,
    neighbour: rebuilding.filter((r) => r.meta?.answerer === "neighbour").length,
    problems: [
      ...(rebuiltAt ? [] : [loss("the replica never rebuilt")]),
      ...(rebuiltAt && rebuiltAt - wipeAt > RTO_TARGET_SECONDS * 1000 ? [late("the replica did not rebuild within the RTO")] : []),
      ...(missingAfterRebuild ? [loss(`${missingAfterRebuild} published articles missing from the rebuilt replica`)] : []),
    ],
  };
  const steps = [step1, step2, step3];
  const customersOk = counts.lost === 0 && counts.duplicated === 0 && counts.outOfOrder === 0 && counts.unanswered === 0 && counts.acknowledged > 0;
  const dr: DrFigures = {
    steps,
    restoredFrom: latest.manifest!.name,
    alertAfterSeconds: alertAt ? seconds(alertAt - lossAt) : null,
    rpoTargetSeconds: rpoTarget,
    rtoTargetSeconds: RTO_TARGET_SECONDS,
    writes: { acknowledged: editor.writes.length, refused: editor.refused },
  };
  return { counts, dr, ok: customersOk && steps.every((s) => s.problems.length === 0) };
}

function step2RtoProblems(acceptedAt: number | undefined, caughtUpAt: number | null | undefined, lossAt: number): Problem[] {
  const over = (at: number | null | undefined) => at && at - lossAt > RTO_TARGET_SECONDS * 1000;
  return [...(over(acceptedAt) ? [late("writes were not accepted within the RTO")] : []), ...(over(caughtUpAt) ? [late("the replicas were not in sync within the RTO")] : [])];
}

/** How many of `kept` (writes the snapshot holds) the restored primary lacks, and whether its audit chain verifies. */
async function restoredFacts(kbPath: string, kept: Array<{ id: string }>): Promise<{ missing: number; audit: boolean }> {
  const db = openKb(`file:${kbPath}`);
  try {
    const ids = new Set((await db.$client.execute("SELECT id FROM articles")).rows.map((r) => String(r[0])));
    return { missing: kept.filter((w) => !ids.has(w.id)).length, audit: (await verifyAudit(db)).ok };
  } finally {
    db.$client.close();
  }
}

/** The ids a region's replica (shard 0) serves, read page by page. */
async function replicaIds(base: string, key: string, region: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let after = ""; ; ) {
    const res = await fetch(`${base}/v1/admin/kb/replicas/${region}/articles?limit=500${after ? `&after=${encodeURIComponent(after)}` : ""}`, { headers: { Authorization: `Bearer ${key}` } });
    const page = (await res.json()) as { articles: Array<{ id: string }>; nextAfter: string | null };
    for (const a of page.articles) ids.add(a.id);
    if (!page.nextAfter) return ids;
    after = page.nextAfter;
  }
}

/** Published articles of the primary, up to `version`, that the region's replica does not hold. */
async function missingFromReplica(base: string, key: string, region: string, kbPath: string, version: number): Promise<number> {
  const served = await replicaIds(base, key, region);
  const db = openKb(`file:${kbPath}`);
  try {
    const rows = await db.$client.execute({ sql: "SELECT id FROM articles WHERE status = 'published' AND deleted_at IS NULL AND version <= ?", args: [version] });
    return rows.rows.filter((r) => !served.has(String(r[0]))).length;
  } finally {
    db.$client.close();
  }
}

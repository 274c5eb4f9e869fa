// The DR drill's writers and watchers of the KB: an editor publishing an article at a steady
// pace through the admin API (each acknowledged write remembered with its version and time,
// refusals counted), the backup schedule a cron would run (`npm run backup`'s snapshot, every
// few seconds), and polls of the KB status and the ops alerts.
import { join } from "node:path";
import { dumpClient, takeSnapshot } from "../backup/snapshots.ts";

export interface AckedWrite {
  id: string;
  version: number;
  /** When the 201 came back (ms since the epoch). */
  at: number;
}

export interface KbEditor {
  writes: AckedWrite[];
  /** Writes refused or failed (the primary was down). */
  refused: number;
  /** Writes until `stopped()`; the first acknowledged after `since` resolves `acceptedAfter(since)`. */
  run(stopped: () => boolean): Promise<void>;
  acceptedAfter(since: number): AckedWrite | undefined;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function kbEditor(base: string, adminKey: string, pacingMs: number): KbEditor {
  const editor: KbEditor = {
    writes: [],
    refused: 0,
    acceptedAfter: (since) => editor.writes.find((w) => w.at >= since),
    async run(stopped) {
      for (let n = 0; !stopped(); n++) {
        try {
          const res = await fetch(`${base}/v1/admin/kb/articles`, {
            method: "POST",
            headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({ slug: `dr-${n}`, locale: "en", title: `Drill notice ${n}`, answer: `Drill notice number ${n}.`, questions: [`drill notice ${n}`], status: "published" }),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 201) {
            const { id, version } = (await res.json()) as { id: string; version: number };
            editor.writes.push({ id, version, at: Date.now() });
          } else {
            await res.body?.cancel();
            editor.refused++;
          }
        } catch {
          editor.refused++;
        }
        await pause(pacingMs);
      }
    },
  };
  return editor;
}

export interface Snapshot {
  name: string;
  kbVersion: number;
  /** When its read transaction began (the manifest's createdAt), ms. */
  at: number;
}

/** Snapshots of the KB file every `everyMs`, as the backup cron would take them, until stopped. */
export function backupSchedule(kbPath: string, dir: string, everyMs: number, keep = 30) {
  const taken: Snapshot[] = [];
  const failures: string[] = [];
  let stopped = false;
  let wake: () => void = () => {};
  const running = (async () => {
    while (!stopped) {
      const client = await dumpClient(`file:${kbPath}`);
      try {
        const { manifest } = await takeSnapshot(client, dir, keep);
        taken.push({ name: manifest.name, kbVersion: manifest.kbVersion, at: Date.parse(manifest.createdAt) });
      } catch (err) {
        failures.push((err as Error).message);
      } finally {
        client.close();
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, everyMs);
      });
    }
  })();
  return {
    taken,
    failures,
    dir,
    /** Stops after the snapshot in progress, if any. */
    async stop(): Promise<void> {
      stopped = true;
      wake();
      await running;
    },
  };
}

export const backupDir = (stateDir: string) => join(stateDir, "backups");

export interface ReplicaState {
  region: string;
  shard: number;
  kbVersion: number;
  epoch: number;
  failures: number;
  lastSyncAt: string | null;
  sync: { state: string };
  inSync: boolean | null;
}

export interface KbStatus {
  primary: { reachable: boolean; version: number | null; epoch: number | null };
  replicas: ReplicaState[];
}

export async function kbStatus(base: string, adminKey: string): Promise<KbStatus> {
  const res = await fetch(`${base}/v1/admin/kb/status`, { headers: { Authorization: `Bearer ${adminKey}` }, signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) throw new Error(`KB status: ${res.status}`);
  return (await res.json()) as KbStatus;
}

/** Polls until `check` gives a value (not undefined/false), or gives up at the deadline with null. */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) return null;
    await pause(everyMs);
  }
}

/** When an alert of `rule` (open or recently resolved) fired at or after `since`, or undefined. */
export async function alertFired(base: string, adminKey: string, rule: string, since: number): Promise<number | undefined> {
  const res = await fetch(`${base}/v1/ops/alerts`, { headers: { Authorization: `Bearer ${adminKey}` } });
  if (res.status !== 200) return undefined;
  const body = (await res.json()) as { open: Array<{ ruleId: string; firedAt: number }>; recent: Array<{ ruleId: string; firedAt: number }> };
  return [...body.open, ...body.recent].find((a) => a.ruleId === rule && a.firedAt >= since)?.firedAt;
}

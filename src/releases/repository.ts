// Releases in the KB primary: the kb_releases record, the answer settings (stable and
// pending), and the batches that open and close a release. A KB release's content is the
// staged writes (src/kb/staging.ts); a settings release's is its `changes`. Each opening and
// closing is one batch; the ReleaseDO is the one caller, and runs them one at a time.
import { and, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AppError } from "../errors.ts";
import type { KbDatabase } from "../kb/articles.ts";
import { answerSettings, kbReleases, type KbReleaseRow } from "../kb/schema.ts";
import { openKbRelease, pendingCount, promotionStatements, returnStatements } from "../kb/staging.ts";
import { applyChanges, isEmpty, type AnswerSettings } from "./answer-settings.ts";
import { guardOf, type GuardConfig } from "./guard.ts";
import type { Comparison } from "./outcomes.ts";

export type ReleaseKind = KbReleaseRow["kind"];
export type ReleaseState = KbReleaseRow["state"];

/** A release as the admin API shows it. */
export interface Release {
  id: string;
  kind: ReleaseKind;
  state: ReleaseState;
  stableVersion: number;
  candidateVersion: number;
  percent: number;
  guard: GuardConfig;
  /** KB releases: how many article writes it carries. */
  articles: number;
  /** Settings releases: the changes the canary answers with. */
  changes: AnswerSettings | null;
  openedAt: string;
  openedBy: string;
  closedAt: string | null;
  closedBy: string | null;
  reason: string | null;
  comparison: Comparison | null;
}

export function toRelease(row: KbReleaseRow): Release {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    stableVersion: row.stableVersion,
    candidateVersion: row.candidateVersion,
    percent: row.percent,
    guard: guardOf(row.guard as unknown as Partial<GuardConfig>),
    articles: row.articles,
    changes: (row.changes as AnswerSettings | null) ?? null,
    openedAt: new Date(row.openedAt).toISOString(),
    openedBy: row.openedBy,
    closedAt: row.closedAt === null ? null : new Date(row.closedAt).toISOString(),
    closedBy: row.closedBy,
    reason: row.reason,
    comparison: (row.comparison as Comparison | null) ?? null,
  };
}

export function newReleaseId(): string {
  return `rel_${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function getRelease(db: KbDatabase, id: string): Promise<Release | null> {
  const row = (await db.select().from(kbReleases).where(eq(kbReleases.id, id)))[0];
  return row ? toRelease(row) : null;
}

/** The release open now, if any. */
export async function openReleaseOf(db: KbDatabase): Promise<Release | null> {
  const row = (await db.select().from(kbReleases).where(eq(kbReleases.state, "canary")))[0];
  return row ? toRelease(row) : null;
}

/** The latest releases first. */
export async function listReleases(db: KbDatabase, kind: ReleaseKind | undefined, limit: number): Promise<Release[]> {
  const rows = await db.select().from(kbReleases).where(kind ? eq(kbReleases.kind, kind) : undefined).orderBy(desc(kbReleases.openedAt)).limit(limit);
  return rows.map(toRelease);
}

export interface Opening {
  percent: number;
  guard: GuardConfig;
  openedBy: string;
  now: number;
  /** Settings releases: the changes (else the pending ones). */
  changes?: AnswerSettings;
}

/** Maps a failed opening to `release_open` when another release holds the slot. */
async function opening<T>(db: KbDatabase, open: () => Promise<T>): Promise<T> {
  if (await openReleaseOf(db)) throw new AppError("release_open");
  try {
    return await open();
  } catch (err) {
    if (await openReleaseOf(db).catch(() => null)) throw new AppError("release_open");
    throw err;
  }
}

/** Opens a KB release of every pending write. */
export function openKb(db: KbDatabase, o: Opening): Promise<Release> {
  return opening(db, async () => {
    const id = newReleaseId();
    const opened = await openKbRelease(db, { id, percent: o.percent, guard: { ...o.guard }, openedBy: o.openedBy, now: o.now });
    if (!opened) throw new AppError("nothing_to_release");
    return (await getRelease(db, id))!;
  });
}

export interface SettingsState {
  /** What every conversation outside a release answers with. */
  stable: AnswerSettings;
  version: number;
  /** Changes waiting for a release, or null. */
  pending: AnswerSettings | null;
}

export async function readSettings(db: KbDatabase): Promise<SettingsState> {
  const rows = await db.select().from(answerSettings);
  const stable = rows.find((r) => r.scope === "stable");
  const pending = rows.find((r) => r.scope === "pending");
  return { stable: (stable?.value as AnswerSettings) ?? {}, version: stable?.version ?? 0, pending: (pending?.value as AnswerSettings) ?? null };
}

function setScope(db: KbDatabase, scope: "stable" | "pending", value: AnswerSettings, version: number | ReturnType<typeof sql>, now: number) {
  return db.insert(answerSettings).values({ scope, value, version, updatedAt: now }).onConflictDoUpdate({ target: answerSettings.scope, set: { value, version, updatedAt: now } });
}

/**
 * Edits the settings. `staged`: the changes wait for a release (laid over what is pending);
 * otherwise they go live at once (KB_RELEASES=off).
 */
export async function putSettings(db: KbDatabase, changes: AnswerSettings, staged: boolean, now: number): Promise<SettingsState> {
  const current = await readSettings(db);
  if (staged) await setScope(db, "pending", applyChanges(current.pending ?? {}, changes), 0, now);
  else await setScope(db, "stable", applyChanges(current.stable, changes), current.version + 1, now);
  return readSettings(db);
}

/** Opens a settings release of `changes` (else of the pending changes). */
export function openSettings(db: KbDatabase, o: Opening): Promise<Release> {
  return opening(db, async () => {
    const current = await readSettings(db);
    const changes = o.changes ?? current.pending;
    if (!changes || isEmpty(changes)) throw new AppError("nothing_to_release");
    const id = newReleaseId();
    await db.batch([
      db.insert(kbReleases).values({
        id,
        kind: "settings",
        state: "canary",
        stableVersion: current.version,
        candidateVersion: current.version + 1,
        percent: o.percent,
        guard: { ...o.guard },
        changes,
        openedAt: o.now,
        openedBy: o.openedBy,
      }),
      // Pending changes the release took: it carries them now (a rollback returns them).
      ...(o.changes ? [] : [db.delete(answerSettings).where(eq(answerSettings.scope, "pending"))]),
    ]);
    return (await getRelease(db, id))!;
  });
}

export interface Closing {
  to: "promoted" | "rolled_back";
  by: string;
  reason: string;
  comparison: Comparison | null;
  now: number;
}

/** Closes an open release: promotes its content or returns it to pending. Null when it was not open. */
export async function closeRelease(db: KbDatabase, id: string, c: Closing): Promise<Release | null> {
  const release = await getRelease(db, id);
  if (!release || release.state !== "canary") return null;
  const close = db
    .update(kbReleases)
    .set({ state: c.to, closedAt: c.now, closedBy: c.by, reason: c.reason, comparison: c.comparison })
    .where(and(eq(kbReleases.id, id), eq(kbReleases.state, "canary")));
  const content: BatchItem<"sqlite">[] = release.kind === "kb" ? await kbContent(db, id, c) : await settingsContent(db, release, c);
  // Closings are serialized by the ReleaseDO (the only closer), so the release read above is
  // still open here; the state check keeps a stray second closing from changing the record.
  await db.batch([close, ...content]);
  return getRelease(db, id);
}

async function kbContent(db: KbDatabase, id: string, c: Closing): Promise<BatchItem<"sqlite">[]> {
  return c.to === "promoted" ? promotionStatements(db, id, c.now) : [...returnStatements(db, id)];
}

async function settingsContent(db: KbDatabase, release: Release, c: Closing): Promise<BatchItem<"sqlite">[]> {
  const current = await readSettings(db);
  const changes = release.changes ?? {};
  if (c.to === "promoted") return [setScope(db, "stable", applyChanges(current.stable, changes), current.version + 1, c.now)];
  // Back to pending, under whatever was changed since (newer wins).
  return [setScope(db, "pending", applyChanges(changes, current.pending ?? {}), 0, c.now)];
}

/** Pending KB writes, for the opening's "nothing to release" check and status. */
export { pendingCount };

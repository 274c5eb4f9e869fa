// Starts and stops the local Holdfast stack for `npm start`, the browser tests, the
// benchmark and the drill: the KB primary (a libSQL file, migrated and seeded, served over
// Hrana HTTP in this process) and the Worker (`wrangler dev` on a persisted state folder).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NEIGHBOUR } from "../src/edge/region.ts";
import { isRegion } from "../src/edge/regions.ts";
import { importArticles } from "../src/kb/articles.ts";
import { newAuthToken, startHranaServer, type HranaServer } from "./hrana/server.ts";
import { migrateKb, openKb } from "./kb.ts";
import { readSource } from "./kb/source.ts";

export const ROOT = resolve(import.meta.dirname, "..");
// Run wrangler with this Node (22, from the `node` devDependency), whatever is on PATH.
const WRANGLER = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");
export const DEMO_KB = resolve(ROOT, "kb/demo");

/** A port nothing listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Vars for load tools (bench, drill): one client hammering a few conversations must not be rate limited. */
export const LOAD_TOOL_LIMITS = { RATE_LIMIT_IP: "10000000/60", RATE_LIMIT_CONVERSATIONS_PER_IP: "10000000/60", RATE_LIMIT_CONVERSATION: "10000000/60" };

export interface StackOptions {
  port: number;
  /** Folder for all local state: Durable Objects (wrangler/) and the KB (kb.db). */
  stateDir: string;
  /** Port of the KB primary's Hrana endpoint; 0 picks a free one. */
  libsqlPort?: number;
  /** The KB endpoint's bearer token, handed to the Worker as LIBSQL_AUTH_TOKEN; fresh per start if absent. */
  libsqlAuthToken?: string;
  /** Import the demo KB (idempotent) before starting. */
  seed?: boolean;
  /** Extra Worker vars, e.g. TOKEN_SECRET for tests. */
  vars?: Record<string, string>;
  /** Secrets come from .dev.vars (npm start) rather than being made for this state folder. */
  devVars?: boolean;
  /** Print the Worker's output (npm start --verbose) rather than only keeping it. */
  inheritOutput?: boolean;
}

export interface WorkerProcess {
  process: ChildProcess;
  /** Recent output, for diagnosing a failed start. */
  output(): string;
  /** Stops the Worker gracefully (SIGTERM), waiting for it to exit. */
  stop(): Promise<void>;
  /** Kills the Worker without warning (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface Stack {
  url: string;
  /** The KB primary; the benchmark swaps it for another file on the same port. */
  primary: HranaServer;
  worker: WorkerProcess;
  /** Starts the Worker again on the same state (after stop or kill); `vars` change its vars from now on (a rotated key). */
  restartWorker(vars?: Record<string, string>): Promise<void>;
  /** Serves the KB file again on the same port and token, after `primary.close()` (the DR drill's restore). */
  restartPrimary(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.stateDir, { recursive: true });
  const kbPath = join(options.stateDir, "kb.db");
  const kb = openKb(`file:${kbPath}`);
  await migrateKb(kb);
  if (options.seed) await importArticles(kb, readSource(DEMO_KB, {}), Date.now());
  const primary = await startHranaServer({ path: kbPath, port: options.libsqlPort ?? 0, authToken: options.libsqlAuthToken ?? newAuthToken() });
  const vars = { LIBSQL_URL: primary.url, LIBSQL_AUTH_TOKEN: primary.authToken, HOLDFAST_DEV: "1", JURISDICTIONS: "off", ...(options.devVars ? {} : testSecrets(options.stateDir)), ...options.vars };
  const stack: Stack = {
    url: `http://127.0.0.1:${options.port}`,
    primary,
    worker: await startWorker(options, vars),
    restartWorker: async (changed = {}) => {
      Object.assign(vars, changed);
      stack.worker = await startWorker(options, vars);
    },
    restartPrimary: async () => {
      stack.primary = await startHranaServer({ path: kbPath, port: Number(new URL(primary.url).port), authToken: primary.authToken });
    },
    stop: async () => {
      await stack.worker.stop();
      await stack.primary.close();
    },
  };
  return stack;
}

/**
 * Secrets for a stack that is not `npm start` (tests, bench, drill): made once per state
 * folder, so a restart on the same state can still open what it sealed. `npm start` keeps
 * its own in .dev.vars.
 */
function testSecrets(stateDir: string): Record<string, string> {
  const file = join(stateDir, "secrets.json");
  const fresh: Record<string, () => string> = {
    DATA_ENCRYPTION_KEY: () => `k1:${randomBytes(32).toString("base64")}`,
    CUSTOMER_SIGNING_SECRET: () => randomBytes(32).toString("hex"),
    CLIENT_KEY_SECRET: () => randomBytes(32).toString("hex"),
  };
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  const missing = Object.keys(fresh).filter((name) => !kept[name]);
  for (const name of missing) kept[name] = fresh[name]!();
  if (missing.length) writeFileSync(file, JSON.stringify(kept), { mode: 0o600 });
  return kept;
}

async function startWorker(options: StackOptions, vars: Record<string, string>): Promise<WorkerProcess> {
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(options.port), "--persist-to", join(options.stateDir, "wrangler"), "--show-interactive-dev-session=false", "--live-reload=false"];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  // Its own process group: wrangler and the workerd it starts are stopped (or killed) together.
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PATH: `${resolve(ROOT, "node_modules/.bin")}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
    if (options.inheritOutput) process.stdout.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal);
      }
    }
    await exited;
    // Give the group's other members (workerd) a moment to go too.
    await new Promise((r) => setTimeout(r, 200));
  };
  const worker: WorkerProcess = { process: child, output: () => log, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
  try {
    await waitForHealth(`http://127.0.0.1:${options.port}`, child, 90_000);
  } catch (err) {
    await worker.stop();
    throw new Error(`${(err as Error).message}\n--- wrangler output ---\n${log}`);
  }
  return worker;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not become healthy within ${timeoutMs / 1000}s`);
}

/**
 * Waits until the replicas of `regions` (and of the region requests from here map to) have
 * synced and trained their classifiers, so that answers do not depend on how far a fresh
 * replica got: a readiness probe per region starts the work, each replica's status tells
 * when it is done. Their neighbours (where degraded turns go) sync too, untrained. Replica
 * status is read through the dev route, which wakes no other replica (the bench's replica
 * figures need regions whose replicas have never synced). Development stacks only.
 */
export async function warmReplicas(base: string, regions: string[] = [], timeoutMs = 180_000): Promise<void> {
  const own = ((await (await fetch(`${base}/readyz`)).json()) as { region: string }).region;
  const wanted = [...new Set([own, ...regions])].filter(isRegion);
  const neighbours = [...new Set(wanted.map((r) => NEIGHBOUR[r]))].filter((r) => !wanted.includes(r));
  await Promise.all(wanted.map((region) => fetch(`${base}/readyz`, { headers: { "X-Holdfast-Region": region } })));
  const deadline = Date.now() + timeoutMs;
  const synced = (r: ReplicaState) => r.kbVersion > 0 && r.kbVersion === r.primaryVersion;
  for (;;) {
    const [trained, woken] = await Promise.all([Promise.all(wanted.map((r) => replicaStatus(base, r))), Promise.all(neighbours.map((r) => replicaStatus(base, r)))]);
    if (trained.every((r) => synced(r) && r.models.length > 0 && r.training.length === 0) && woken.every(synced)) return;
    if (Date.now() > deadline) throw new Error(`replicas of ${[...wanted, ...neighbours].join(", ")} did not sync and train within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface ReplicaState {
  region: string;
  kbVersion: number;
  primaryVersion: number;
  articles: number;
  sizeBytes: number;
  failures: number;
  lastError: string | null;
  sync: { state: "idle" | "syncing"; stagedChanges: number };
  models: Array<{ language: string; kbVersion: number }>;
  training: string[];
}

/** One region's first replica shard's status, or its candidate replica's in `release` (dev route). */
export async function replicaStatus(base: string, region: string, release?: string): Promise<ReplicaState> {
  const res = await fetch(`${base}/v1/dev/replicas/${region}/status${release ? `?release=${release}` : ""}`);
  if (!res.ok) throw new Error(`replica status of ${region}: ${res.status}`);
  return (await res.json()) as ReplicaState;
}

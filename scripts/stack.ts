// Starts and stops the local Holdfast stack (`wrangler dev` on a persisted state folder)
// for `npm start`, the browser tests, the benchmark and the drill.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");
// Run wrangler with this Node (22, from the `node` devDependency), whatever is on PATH.
const WRANGLER = resolve(ROOT, "node_modules/wrangler/bin/wrangler.js");

export interface StackOptions {
  port: number;
  /** Where Durable Object storage lives; kept across restarts. */
  persistDir: string;
  /** Extra Worker vars, e.g. TOKEN_SECRET for tests. */
  vars?: Record<string, string>;
  /** Print the Worker's output (npm start) or keep it for failures (tests). */
  inheritOutput?: boolean;
}

export interface Stack {
  url: string;
  worker: ChildProcess;
  /** Recent output, for diagnosing a failed start. */
  output(): string;
  /** Stops the Worker gracefully (SIGTERM), waiting for it to exit. */
  stop(): Promise<void>;
  /** Kills the Worker without warning (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.persistDir, { recursive: true });
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(options.port), "--persist-to", options.persistDir, "--show-interactive-dev-session=false", "--live-reload=false"];
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
  const worker = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${resolve(ROOT, "node_modules/.bin")}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false", NO_UPDATE_NOTIFIER: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
    if (options.inheritOutput) process.stdout.write(chunk);
  };
  worker.stdout?.on("data", keep);
  worker.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<void>((done) => worker.once("exit", () => done()));
  const end = async (signal: NodeJS.Signals) => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill(signal);
    await exited;
  };
  const stack: Stack = { url, worker, output: () => log, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
  try {
    await waitForHealth(url, worker, 90_000);
  } catch (err) {
    await stack.stop();
    throw new Error(`${(err as Error).message}\n--- wrangler output ---\n${log}`);
  }
  return stack;
}

async function waitForHealth(url: string, worker: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited with code ${worker.exitCode}`);
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

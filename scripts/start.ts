// `npm start`: everything a first-time user needs. Creates .dev.vars with fresh secrets if
// missing, starts the Worker with `wrangler dev`, and prints the chat URL once /healthz
// answers. PORT overrides the default 8787.
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT, startStack } from "./stack.ts";

const devVars = resolve(ROOT, ".dev.vars");
if (!existsSync(devVars)) {
  writeFileSync(devVars, `# Local secrets, created by npm start. Never commit this file.\nTOKEN_SECRET="${randomBytes(32).toString("hex")}"\n`, { mode: 0o600 });
  console.log("Created .dev.vars with a fresh TOKEN_SECRET.");
}

const port = Number(process.env.PORT ?? 8787);
console.log(`Starting Holdfast on port ${port}…`);
const stack = await startStack({ port, persistDir: resolve(ROOT, ".data/wrangler"), inheritOutput: process.argv.includes("--verbose") });

console.log(`
  Holdfast is running.
  Chat page:      ${stack.url}/
  API reference:  ${stack.url}/docs
  Health:         ${stack.url}/healthz
  Press Ctrl+C to stop.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
stack.worker.once("exit", (code) => {
  if (stopping) return;
  console.error(`wrangler dev stopped unexpectedly (code ${code}). Its last output:\n${stack.output()}`);
  process.exit(1);
});

// `npm start`: everything a first-time user needs. Creates .dev.vars with fresh secrets if
// missing (and a new LIBSQL_AUTH_TOKEN for the KB endpoint at every start), migrates and seeds the local KB (.data/kb.db) with the demo articles, serves it
// over libSQL's HTTP protocol, starts the Worker with `wrangler dev`, and prints the chat
// URL once /healthz answers. PORT (default 8787) and LIBSQL_PORT (default 8790) move them.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { FAULT_NAMES, parseFaults } from "../src/resilience/faults.ts";
import { ensureDevVars, setDevVar } from "./dev-vars.ts";
import { newAuthToken } from "./hrana/server.ts";
import { ROOT, startStack, warmReplicas } from "./stack.ts";

// `npm start -- --fault replica-down --fault latency=500`: drills start with faults on.
const { values: args } = parseArgs({ options: { fault: { type: "string", multiple: true, default: [] }, verbose: { type: "boolean" } } });
if (!parseFaults(args.fault!)) {
  console.error(`Unknown fault in ${args.fault!.join(", ")}. Known faults: ${FAULT_NAMES.join(", ")}.`);
  process.exit(2);
}

// Secrets live in .dev.vars; any that are missing get a fresh random value.
const fresh = {
  TOKEN_SECRET: () => randomBytes(32).toString("hex"),
  ADMIN_API_KEY: () => randomBytes(32).toString("hex"),
  // Keys the hashes of client addresses in rate-limit keys.
  CLIENT_KEY_SECRET: () => randomBytes(32).toString("hex"),
  CUSTOMER_SIGNING_SECRET: () => randomBytes(32).toString("hex"),
  // A keyring of one master key (kid k1); put a new kid first to rotate.
  DATA_ENCRYPTION_KEY: () => `k1:${randomBytes(32).toString("base64")}`,
  // Signs alert notices, should ALERT_WEBHOOK_URL be set.
  ALERT_WEBHOOK_SECRET: () => randomBytes(32).toString("hex"),
  // Only for an OpenAI-compatible LLM (LLM_PROVIDER=openai); empty otherwise.
  LLM_API_KEY: () => "",
  // Only for an OpenAI-compatible embeddings endpoint (EMBEDDINGS_PROVIDER=openai); empty otherwise.
  EMBEDDINGS_API_KEY: () => "",
  // Only for a /v1/rerank endpoint that wants a key (RERANKER_PROVIDER=openai); empty otherwise.
  RERANKER_API_KEY: () => "",
};
for (const name of ensureDevVars(fresh)) console.log(`Added a fresh ${name} to .dev.vars.`);
// The KB endpoint's token is new at every start, so a token that leaked stops working.
const libsqlAuthToken = newAuthToken();
setDevVar("LIBSQL_AUTH_TOKEN", libsqlAuthToken);

const port = Number(process.env.PORT ?? 8787);
console.log(`Starting Holdfast on port ${port}…`);
const stack = await startStack({
  port,
  stateDir: resolve(ROOT, ".data"),
  libsqlPort: Number(process.env.LIBSQL_PORT ?? 8790),
  seed: true,
  devVars: true,
  libsqlAuthToken,
  inheritOutput: args.verbose,
  vars: args.fault!.length ? { HOLDFAST_FAULTS: args.fault!.join(",") } : {},
});

// This region's replica pulls the KB and trains its classifiers: the first answers are ready.
console.log("Warming up the knowledge base replica…");
await warmReplicas(stack.url).catch((err: Error) => console.error(`The replica is still warming up: ${err.message}`));

console.log(`
  Holdfast is running.
  Chat page:      ${stack.url}/
  Agent console:  ${stack.url}/agent (sign in with an agent operator's key: POST /v1/admin/operators)
  Ops dashboard:  ${stack.url}/ops (an ops_viewer, kb_editor or admin key; /metrics for Prometheus)
  API reference:  ${stack.url}/docs
  Health:         ${stack.url}/healthz
  KB primary:     ${stack.primary.url} (libSQL over HTTP, .data/kb.db; its LIBSQL_AUTH_TOKEN and the admin key are in .dev.vars)
  Faults:         ${args.fault!.length ? args.fault!.join(", ") : "none"} (switch with PUT ${stack.url}/v1/admin/faults)
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
stack.worker.process.once("exit", (code) => {
  if (stopping) return;
  console.error(`wrangler dev stopped unexpectedly (code ${code}). Its last output:\n${stack.worker.output()}`);
  process.exit(1);
});

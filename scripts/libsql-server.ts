// `npm run libsql`: serves a local libSQL file over Hrana HTTP v2 for the Worker.
//   node scripts/libsql-server.ts [--db .data/kb.db] [--port 8790] [--auth-token T]
// A token is always required: --auth-token, else LIBSQL_AUTH_TOKEN, else a fresh one written
// to .dev.vars (where `wrangler dev` and this project's tools find it).
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { setDevVar } from "./dev-vars.ts";
import { newAuthToken, startHranaServer } from "./hrana/server.ts";

const { values } = parseArgs({
  options: { db: { type: "string", default: ".data/kb.db" }, port: { type: "string", default: process.env.LIBSQL_PORT ?? "8790" }, "auth-token": { type: "string" } },
});
const path = resolve(values.db!);
mkdirSync(dirname(path), { recursive: true });
let authToken = values["auth-token"] ?? process.env.LIBSQL_AUTH_TOKEN;
if (!authToken) {
  authToken = newAuthToken();
  setDevVar("LIBSQL_AUTH_TOKEN", authToken);
  console.log("A fresh LIBSQL_AUTH_TOKEN is in .dev.vars.");
}
const server = await startHranaServer({ path, port: Number(values.port), authToken });
console.log(`libSQL (Hrana over HTTP v2) on ${server.url}, database ${path}; requests need Authorization: Bearer <LIBSQL_AUTH_TOKEN>`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

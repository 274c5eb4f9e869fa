// Lets Node import `.sql` files as text, as wrangler's Text rule does for the Worker, so
// Node tooling (eval, bench) runs the Durable Objects' real migration modules.
//   node --import ./scripts/sql-text.ts scripts/eval.ts
import { registerHooks } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

registerHooks({
  load(url, context, nextLoad) {
    if (!url.endsWith(".sql")) return nextLoad(url, context);
    const text = readFileSync(fileURLToPath(url), "utf8");
    return { format: "module", source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  },
});

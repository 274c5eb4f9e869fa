// `npm run vendor`: copies the self-hosted browser libraries from their npm packages into
// public/vendor/ (committed, so the pages work offline and from a clean clone without a
// build step): Swagger UI for /docs, uPlot for the ops dashboard, each with its licence.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "public/vendor");
const FILES: Record<string, string[]> = {
  "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"],
  uplot: ["dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE"],
};

const versions: string[] = [];
for (const [pkg, files] of Object.entries(FILES)) {
  const dir = join(ROOT, "node_modules", pkg);
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  mkdirSync(join(OUT, pkg), { recursive: true });
  for (const file of files) copyFileSync(join(dir, file), join(OUT, pkg, file.split("/").pop()!));
  versions.push(`- ${pkg} ${version}: ${files.join(", ")}`);
}
writeFileSync(join(OUT, "README.md"), `# Vendored browser libraries\n\nCopied from npm by \`npm run vendor\`; do not edit.\n\n${versions.join("\n")}\n`);
console.log(versions.join("\n"));

// Runs in Node before the workerd tests: a fresh KB primary (a migrated libSQL file served
// by the Hrana dev endpoint, with its outage switch on) whose URL the Worker is bound to.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { startHranaServer } from "../../scripts/hrana/server.ts";

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "holdfast-workers-"));
  const path = join(dir, "kb.db");
  await migrateKb(openKb(`file:${path}`));
  const server = await startHranaServer({ path, port: 0, faultControl: true });
  project.provide("libsqlUrl", server.url);
  return async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

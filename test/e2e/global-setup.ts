// Starts the real local stack once for the browser tests and a second origin that embeds
// the widget, on free ports under a fresh state folder.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { openKb } from "../../scripts/kb.ts";
import { freePort, startStack, warmReplicas } from "../../scripts/stack.ts";
import { createOperator } from "../../src/operators/repository.ts";
import { ADMIN_KEY } from "./api.ts";


export default async function setup(project: TestProject) {
  const persistDir = mkdtempSync(join(tmpdir(), "holdfast-e2e-"));
  const hostPort = await freePort();
  // The embedding site: another origin (localhost vs 127.0.0.1 differ) with one script tag.
  const host: Server = createServer((_req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html><head><title>Shop</title></head><body><h1>Example shop</h1><script src="${baseUrl}/widget.js" data-lang="en" async></script></body></html>`);
  });
  await new Promise<void>((r) => host.listen(hostPort, "127.0.0.1", r));
  const hostPageUrl = `http://localhost:${hostPort}`;
  const stack = await startStack({
    port: await freePort(),
    stateDir: persistDir,
    seed: true,
    // Self-repair only audits what it would do (it acts in its own workers tests): on, it rolled
    // back the release one test opens because another test's degraded replies raised an alert.
    vars: { TOKEN_SECRET: "e2e-secret-0123456789abcdef", ADMIN_API_KEY: ADMIN_KEY, BREAKER_COOLDOWN_MS: "500", ALLOWED_ORIGINS: hostPageUrl, AGENT_RECONNECT_GRACE_SECONDS: "2", AUTO_REMEDIATION: "dry-run" },
  });
  const baseUrl = stack.url;
  // Answers must not depend on how far a fresh replica got with training.
  await warmReplicas(baseUrl, ["weur"]);
  project.provide("baseUrl", baseUrl);
  project.provide("hostPageUrl", hostPageUrl);
  project.provide("stateDir", persistDir);
  // Agents for the console tests, straight into the stack's KB primary.
  const kb = openKb(`file:${join(persistDir, "kb.db")}`);
  const sources = { now: Date.now(), random: (n: number) => new Uint8Array(randomBytes(n)) };
  const agents = {
    en: (await createOperator(kb, { name: "Ana", role: "agent", team: "support" }, sources)).key,
    zh: (await createOperator(kb, { name: "李娜", role: "agent", team: "support" }, sources)).key,
    editor: (await createOperator(kb, { name: "Kim", role: "kb_editor", team: null }, sources)).key,
  };
  kb.$client.close();
  project.provide("agentKeys", agents);
  return async () => {
    await stack.stop();
    await new Promise((r) => host.close(r));
    rmSync(persistDir, { recursive: true, force: true });
  };
}

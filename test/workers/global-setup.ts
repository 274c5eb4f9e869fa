// Runs in Node before the workerd tests: a fresh KB primary (a migrated libSQL file holding
// the demo KB, served by the Hrana dev endpoint with its outage switch on) whose URL and
// token the Worker is bound to, a local receiver for alert webhooks, and FAKE LLM and
// embeddings servers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrateKb, openKb } from "../../scripts/kb.ts";
import { readSource } from "../../scripts/kb/source.ts";
import { DEMO_KB } from "../../scripts/stack.ts";
import { importArticles } from "../../src/kb/articles.ts";
import { startFakeLlm } from "../../scripts/fake-llm.ts";
import { newAuthToken, startHranaServer } from "../../scripts/hrana/server.ts";
import { startWebhookReceiver } from "../support/webhook-receiver.ts";
import { startFakeEmbeddings } from "../support/fake-embeddings.ts";

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "holdfast-workers-"));
  const path = join(dir, "kb.db");
  const kb = openKb(`file:${path}`);
  await migrateKb(kb);
  // The demo KB: what conversations in these tests are answered from.
  await importArticles(kb, readSource(DEMO_KB, {}), Date.now());
  kb.$client.close();
  const server = await startHranaServer({ path, port: 0, authToken: newAuthToken(), faultControl: true });
  const llm = await startFakeLlm();
  const embeddings = await startFakeEmbeddings();
  const hooks = await startWebhookReceiver();
  project.provide("libsqlUrl", server.url);
  project.provide("libsqlAuthToken", server.authToken);
  project.provide("llmUrl", llm.url);
  project.provide("embeddingsUrl", embeddings.url);
  project.provide("webhookUrl", hooks.url);
  return async () => {
    await hooks.close();
    await llm.close();
    await embeddings.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

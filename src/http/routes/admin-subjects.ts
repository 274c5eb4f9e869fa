// GDPR/CCPA requests for a verified customer (admin only, audited): export everything held
// about them, or erase it — every conversation in every region and jurisdiction (found
// through the subject index), what was derived from it, and the index entry — with a
// signed receipt.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireSecret } from "../../config.ts";
import { AppError, unwrap } from "../../errors.ts";
import { conversationStub, findConversation } from "../../platform/conversations.ts";
import { subjectIndex, subjectIndexes } from "../../platform/subjects.ts";
import { isCustomerId, subjectKey } from "../../privacy/identity.ts";
import { signReceipt } from "../../privacy/receipt.ts";
import { validationHook } from "../../validation.ts";
import { learnDigest } from "../../kb/learning/digests.ts";
import { learningSink } from "../../platform/learning.ts";
import { onPrimary } from "../primary-call.ts";
import { audit } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { noteTranscriptReads } from "../transcript-reads.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { errorResponses } from "../schemas.ts";

const tags = ["Admin: privacy"];
const security = [{ bearerAuth: [] }];
const Params = z.object({
  customerId: z
    .string()
    .min(1)
    .max(128)
    .refine(isCustomerId, "customerId must not contain control characters")
    .openapi({ param: { name: "customerId", in: "path" }, description: "The host site's customer id (as signed in customerSignature).", example: "cust_1234" }),
});

const MessageSchema = z.object({ seq: z.number().int(), role: z.string(), text: z.string(), createdAt: z.string() }).passthrough();
const ExportSchema = z
  .object({
    subject: z.string(),
    exportedAt: z.string(),
    conversations: z.array(z.object({ conversation: z.record(z.string(), z.unknown()), messages: z.array(MessageSchema) })),
  })
  .openapi("SubjectExport");
const ReceiptSchema = z
  .object({ subject: z.string(), conversations: z.number().int(), erasedAt: z.string(), signature: z.string() })
  .openapi("ErasureReceipt");

const exportRoute = createRoute({
  method: "get",
  path: "/v1/admin/subjects/{customerId}/export",
  tags,
  security,
  summary: "Export everything held about a verified customer",
  middleware: [operatorAuth("admin")] as const,
  request: { params: Params },
  responses: { 200: { description: "A JSON bundle of the customer's conversations and messages", content: { "application/json": { schema: ExportSchema } } }, ...errorResponses(400, 401, 403, 503) },
});

const eraseRoute = createRoute({
  method: "delete",
  path: "/v1/admin/subjects/{customerId}",
  tags,
  security,
  summary: "Erase everything held about a verified customer",
  description: "What the customer taught the KB goes first (their votes on learned questions, and the learned questions in their words). Then each conversation's data key is destroyed, then its data and what was derived from it (the replica's memory of its questions, cached answers in this colo; elsewhere those expire within a day and hold only KB text). Afterwards the export is empty and every transcript read answers 404.",
  middleware: [operatorAuth("admin")] as const,
  request: { params: Params },
  responses: { 200: { description: "A signed receipt", content: { "application/json": { schema: ReceiptSchema } } }, ...errorResponses(400, 401, 403, 503) },
});

export const adminSubjects = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** The subject key of a customer id; without a signing secret nothing was ever verified. */
async function subjectOf(secret: string, customerId: string): Promise<string> {
  if (secret.length < 16) throw new AppError("server_misconfigured");
  return subjectKey(secret, customerId);
}

/** The customer's conversations, as stubs. */
function conversationsOf(env: Env, enforce: boolean, entries: Array<{ conversationId: string }>) {
  return entries.flatMap(({ conversationId }) => {
    const address = findConversation(env, conversationId, enforce);
    return address ? [{ id: conversationId, stub: conversationStub(env, address) }] : [];
  });
}

adminSubjects.openapi(exportRoute, async (c) => {
  const { config } = c.var;
  const subject = await subjectOf(config.customerSigningSecret, c.req.valid("param").customerId);
  // Access to customer data is recorded before it is served; no record, no data.
  await audit(c, "subject.export", subject, "ok").catch(() => {
    throw new AppError("primary_unavailable");
  });
  const found = conversationsOf(c.env, config.jurisdictions, await subjectIndex(c.env, subject).list());
  const held = await Promise.all(found.map(({ stub }) => stub.export()));
  const conversations = held.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
  noteTranscriptReads(c, found.filter((_, i) => held[i]!.ok).map(({ id }) => id));
  return c.json({ subject, exportedAt: new Date().toISOString(), conversations } as never, 200);
});

adminSubjects.openapi(eraseRoute, async (c) => {
  const { config } = c.var;
  const subject = await subjectOf(config.customerSigningSecret, c.req.valid("param").customerId);
  await audit(c, "subject.erase", subject, "ok").catch(() => {
    throw new AppError("primary_unavailable");
  });
  const listed = await subjectIndex(c.env, subject).list();
  const found = conversationsOf(c.env, config.jurisdictions, listed);
  // What they taught goes first (their votes, and the learned questions in their words): a
  // primary that cannot take it fails the request before anything else is erased, so a retry
  // finds everything still indexed.
  const secret = requireSecret(config);
  const conversations = await Promise.all(listed.map((e) => learnDigest(secret, "conversation", e.conversationId)));
  const learnedSubject = await learnDigest(secret, "subject", subject);
  await onPrimary(config, () => learningSink(c.env, config).erase({ subject: learnedSubject, conversations }));
  const erased = await Promise.all(found.map(async ({ stub }) => unwrap(await stub.erase()).erased));
  await Promise.all(subjectIndexes(c.env, subject).map((index) => index.erase()));
  const receipt = await signReceipt(requireSecret(config), { subject, conversations: erased.filter(Boolean).length, erasedAt: new Date().toISOString() });
  return c.json(receipt, 200);
});

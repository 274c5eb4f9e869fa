// Point-in-time restore of a conversation (admin only, audited as conversation.restore):
// Durable Objects keep 30 days of their storage's history in production, and the object is
// reset onto its state at `at`. Erasure wins: an erased conversation answers 410 and is
// never restored. Where the runtime keeps no history (local workerd) the answer is 501.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { CONVERSATION_ID } from "../../conversation/address.ts";
import { AppError, unwrap } from "../../errors.ts";
import { conversationStub, findConversation } from "../../platform/conversations.ts";
import { validationHook } from "../../validation.ts";
import { audited, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const restore = createRoute({
  method: "post",
  path: "/v1/admin/conversations/{id}/restore",
  tags: ["Admin: privacy"],
  security: [{ bearerAuth: [] }],
  summary: "Restore a conversation to a point in time (within the last 30 days)",
  description:
    "Resets the conversation's Durable Object onto its stored state at `at`: what was written after it is gone, and its sockets are dropped (clients reconnect and read the transcript again). Role: `admin`. Audited as `conversation.restore`. 400 `restore_point_out_of_range` for a time in the future, older than 30 days or before the conversation began; 410 `conversation_erased` for an erased conversation (erasure wins: it is never brought back); 501 `pitr_unavailable` where the runtime keeps no point-in-time history (local workerd).",
  middleware: [audited("conversation.restore", paramTarget(CONVERSATION_ID)), operatorAuth("admin"), jsonBody] as const,
  request: {
    params: z.object({ id: z.string().regex(CONVERSATION_ID, "not a conversation id").openapi({ param: { name: "id", in: "path" } }) }),
    body: { required: true, content: { "application/json": { schema: z.strictObject({ at: z.iso.datetime({ offset: true }).openapi({ example: "2026-01-05T12:00:00Z" }) }) } } },
  },
  responses: {
    200: jsonResponse(z.object({ id: z.string(), at: z.string().openapi({ format: "date-time" }) }), "The conversation restarts on its state at `at`"),
    ...errorResponses(400, 401, 403, 404, 410, 413, 415, 501),
  },
});

export const adminConversations = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminConversations.openapi(restore, async (c) => {
  const { id } = c.req.valid("param");
  const address = findConversation(c.env, id, c.var.config.jurisdictions);
  if (!address) throw new AppError("conversation_not_found");
  const stub = conversationStub(c.env, address);
  const { at } = unwrap(await stub.restoreTo(Date.parse(c.req.valid("json").at)));
  // The object resets itself to apply the restore point; the call sees it go.
  await stub.restart().catch(() => {});
  return c.json({ id, at: new Date(at).toISOString() }, 200);
});

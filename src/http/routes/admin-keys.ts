// Master key rotation (admin only): how many conversation data keys each master key (kid)
// wraps, and a rewrap pass, one page per call, that moves them to the current key
// (src/privacy/key-rewrap.ts) so that an older kid can be removed from DATA_ENCRYPTION_KEY.
// `npm run keys -- status|rewrap` drives these. Each rewrap call is audited (keys.rewrap).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { requireKeyring } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { conversationStub, findConversation } from "../../platform/conversations.ts";
import { keyRegistryOf, keyRegistryShard } from "../../platform/key-registry.ts";
import { KEY_REGISTRY_SHARDS, mergeCounts, parseCursor, rewrapPage, REWRAP_PAGE_MAX, type RewrapPorts } from "../../privacy/key-rewrap.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: encryption keys"];
const security = [{ bearerAuth: [] }];
const adminOnly = operatorAuth("admin");

const StatusSchema = z
  .object({
    current: z.string().openapi({ description: "The kid that wraps new data keys (the first in DATA_ENCRYPTION_KEY)." }),
    kids: z.array(z.string()).openapi({ description: "The kids in DATA_ENCRYPTION_KEY, in order." }),
    dataKeys: z.record(z.string(), z.number().int()).openapi({ description: "Conversation data keys per kid, from the key registry." }),
    retirable: z.array(z.string()).openapi({ description: "Kids in DATA_ENCRYPTION_KEY, other than the current one, that wrap no data key the registry knows of." }),
  })
  .openapi("KeyStatus");

const RewrapInputSchema = z
  .strictObject({
    cursor: z.string().max(100).optional().openapi({ description: "Where the previous call stopped (its `cursor`); absent: from the start." }),
    limit: z.number().int().min(1).max(REWRAP_PAGE_MAX).default(50),
  })
  .openapi("RewrapInput");

const RewrapSchema = z
  .object({
    current: z.string(),
    processed: z.number().int(),
    rewrapped: z.number().int(),
    erased: z.number().int().openapi({ description: "Conversations whose key was destroyed (erased): skipped, and dropped from the registry." }),
    failed: z.number().int().openapi({ description: "Keys that could not be rewrapped (their kid is not in DATA_ENCRYPTION_KEY, or the conversation did not answer): left as they were." }),
    cursor: z.string().nullable().openapi({ description: "Pass this to continue; null: the pass is complete." }),
  })
  .openapi("RewrapPage");

const status = createRoute({
  method: "get",
  path: "/v1/admin/keys/status",
  tags,
  security,
  summary: "Data keys per master key",
  description: "Roles: `admin`.",
  middleware: [adminOnly] as const,
  responses: { 200: jsonResponse(StatusSchema, "Counts per kid"), ...errorResponses(401, 403, 429, 500) },
});

const rewrap = createRoute({
  method: "post",
  path: "/v1/admin/keys/rewrap",
  tags,
  security,
  summary: "Rewrap a page of conversation data keys under the current master key",
  description: "Roles: `admin`. Audited. Visits up to `limit` conversations whose key the registry lists under an older kid, from `cursor` on; call again with the returned cursor until it is null.",
  middleware: [audited("keys.rewrap", chosenTarget), adminOnly, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: RewrapInputSchema } } } },
  responses: { 200: jsonResponse(RewrapSchema, "What this page did, and where to go on"), ...errorResponses(400, 401, 403, 413, 415, 429, 500) },
});

export const adminKeys = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

adminKeys.openapi(status, async (c) => {
  const ring = requireKeyring(c.var.config);
  const shards = Array.from({ length: KEY_REGISTRY_SHARDS }, (_, shard) => keyRegistryShard(c.env, shard).counts());
  const dataKeys = mergeCounts(await Promise.all(shards));
  const retirable = ring.kids.filter((kid) => kid !== ring.current && !dataKeys[kid]);
  return c.json({ current: ring.current, kids: [...ring.kids], dataKeys, retirable }, 200);
});

adminKeys.openapi(rewrap, async (c) => {
  const { config } = c.var;
  const ring = requireKeyring(config);
  const input = c.req.valid("json");
  const from = parseCursor(input.cursor);
  if (!from) throw new AppError("validation_failed", [{ path: "cursor", issue: "not a cursor this endpoint returned" }]);
  c.set("auditTarget", ring.current);
  const ports: RewrapPorts = {
    page: (shard, after, limit, exceptKid) => keyRegistryShard(c.env, shard).page(after, limit, exceptKid),
    rewrap: async (id) => {
      const address = findConversation(c.env, id, config.jurisdictions);
      return address ? conversationStub(c.env, address).rewrapKey() : { status: "missing" };
    },
    forget: (id) => keyRegistryOf(c.env, id).forget(id),
  };
  const progress = await rewrapPage(ports, ring.current, from, input.limit);
  return c.json({ current: ring.current, ...progress }, 200);
});

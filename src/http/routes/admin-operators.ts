// The operators API (admin only): create an operator with a key, list them, rotate a key,
// revoke an operator. A key is shown once, by create or rotate; only its hash is stored.
// Every change is audited (operator.create, operator.rotate, operator.revoke).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { cryptoRandom } from "../../auth/operator-key.ts";
import { ROLES } from "../../auth/roles.ts";
import { AppError } from "../../errors.ts";
import { createOperator, listOperators, revokeOperator, rotateOperatorKey, type Operator } from "../../operators/repository.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { forgetOperator, operatorAuth } from "../middleware/operator-auth.ts";
import { onPrimary } from "../primary-call.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: operators"];
const security = [{ bearerAuth: [] }];
const adminOnly = operatorAuth("admin");
const OPERATOR_ID = /^op_[0-9a-f]{16}$/;

/** How long another isolate may still accept a revoked or rotated-away key. */
const REVOCATION_BOUND =
  "The key stops working on the isolate that handled this request at once, and everywhere within 60 s (the edge's key cache lifetime). Only while the KB primary is unreachable can an isolate that verified the key earlier keep accepting it, for at most 15 min, because nothing can tell it otherwise.";

const OperatorSchema = z
  .object({
    id: z.string().openapi({ example: "op_0123456789abcdef" }),
    name: z.string(),
    role: z.enum(ROLES),
    team: z.string().nullable(),
    keyPrefix: z.string().openapi({ description: "The key's first characters, to tell keys apart; never the key." }),
    createdAt: z.string().openapi({ format: "date-time" }),
    rotatedAt: z.string().nullable().openapi({ format: "date-time" }),
    revokedAt: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Operator");

const IssuedSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    team: z.string().nullable(),
    keyPrefix: z.string(),
    createdAt: z.string().openapi({ format: "date-time" }),
    key: z.string().openapi({ description: "The operator's API key (`Authorization: Bearer <key>`). Shown only here: store it now." }),
  })
  .openapi("OperatorCreated");

const CreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    role: z.enum(ROLES),
    team: z.string().regex(/^[a-z0-9_-]{1,64}$/, "team is 1-64 characters of a-z 0-9 _ -").optional(),
  })
  .openapi("CreateOperator");

const IdParam = z.object({
  id: z
    .string()
    .regex(OPERATOR_ID, "id is op_ and 16 hex digits")
    .openapi({ param: { name: "id", in: "path" }, example: "op_0123456789abcdef" }),
});

const create = createRoute({
  method: "post",
  path: "/v1/admin/operators",
  tags,
  security,
  summary: "Create an operator and its API key",
  description: "Roles: `admin`. The key is in this response and nowhere else.",
  middleware: [audited("operator.create", chosenTarget), adminOnly, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateSchema } } } },
  responses: { 201: jsonResponse(IssuedSchema, "Created; keep the key"), ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
});

const list = createRoute({
  method: "get",
  path: "/v1/admin/operators",
  tags,
  security,
  summary: "List operators (revoked ones included), oldest first",
  description: "Roles: `admin`. Keys are never shown, only their prefixes.",
  middleware: [adminOnly] as const,
  responses: { 200: jsonResponse(z.object({ operators: z.array(OperatorSchema) }), "Every operator"), ...errorResponses(401, 403, 429, 503) },
});

const rotate = createRoute({
  method: "post",
  path: "/v1/admin/operators/{id}/rotate",
  tags,
  security,
  summary: "Replace an operator's key",
  description: `Roles: \`admin\`. The new key is in this response and nowhere else; the old key stops working. ${REVOCATION_BOUND}`,
  middleware: [audited("operator.rotate", paramTarget(OPERATOR_ID)), adminOnly] as const,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ id: z.string(), keyPrefix: z.string(), rotatedAt: z.string(), key: z.string() }).openapi("OperatorKeyRotated"), "The new key"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/v1/admin/operators/{id}",
  tags,
  security,
  summary: "Revoke an operator for good",
  description: `Roles: \`admin\`. The operator stays listed (the audit log names it) with revokedAt set. ${REVOCATION_BOUND}`,
  middleware: [audited("operator.revoke", paramTarget(OPERATOR_ID)), adminOnly] as const,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ id: z.string(), revoked: z.literal(true) }), "Revoked"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

export const adminOperators = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function visible(o: Operator) {
  return { id: o.id, name: o.name, role: o.role, team: o.team, keyPrefix: o.keyPrefix, createdAt: iso(o.createdAt)!, rotatedAt: iso(o.rotatedAt), revokedAt: iso(o.revokedAt) };
}

adminOperators.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const { operator, key } = await onPrimary(c.var.config, (db) => createOperator(db, input, { now: Date.now(), random: cryptoRandom }));
  c.set("auditTarget", operator.id);
  const { rotatedAt: _r, revokedAt: _v, ...shown } = visible(operator);
  return c.json({ ...shown, key }, 201);
});

adminOperators.openapi(list, async (c) => {
  const operators = await onPrimary(c.var.config, listOperators);
  return c.json({ operators: operators.map(visible) }, 200);
});

adminOperators.openapi(rotate, async (c) => {
  const { id } = c.req.valid("param");
  const issued = await onPrimary(c.var.config, (db) => rotateOperatorKey(db, id, { now: Date.now(), random: cryptoRandom }));
  if (!issued) throw new AppError("operator_not_found");
  forgetOperator(id);
  return c.json({ id, keyPrefix: issued.operator.keyPrefix, rotatedAt: iso(issued.operator.rotatedAt)!, key: issued.key }, 200);
});

adminOperators.openapi(revoke, async (c) => {
  const { id } = c.req.valid("param");
  if (!(await onPrimary(c.var.config, (db) => revokeOperator(db, id, Date.now())))) throw new AppError("operator_not_found");
  forgetOperator(id);
  return c.json({ id, revoked: true as const }, 200);
});

// The fault switch, for drills in development and CI: GET, PUT and DELETE
// /v1/admin/faults. Answers 404 unless the dev flag is set; roles: admin. Changes are
// audited (faults.set with the fault names as target, faults.clear).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { currentFaults, FAULT_NAMES, faultNames, parseFaults, setFaults, NO_FAULTS } from "../../resilience/faults.ts";
import { validationHook } from "../../validation.ts";
import { audited, chosenTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { devOnly } from "../middleware/dev-only.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";

const adminAuth = operatorAuth("admin");

const State = z.object({ faults: z.array(z.string()), available: z.array(z.string()) });
const json = { content: { "application/json": { schema: State } } };
const path = "/v1/admin/faults";

const read = createRoute({ method: "get", path, hide: true, middleware: [devOnly, adminAuth] as const, responses: { 200: { description: "Active faults", ...json } } });
const write = createRoute({
  method: "put",
  path,
  hide: true,
  middleware: [devOnly, audited("faults.set", chosenTarget), adminAuth, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: z.strictObject({ faults: z.array(z.string().max(40)).max(10) }) } } } },
  responses: { 200: { description: "Faults now active", ...json } },
});
const clear = createRoute({ method: "delete", path, hide: true, middleware: [devOnly, audited("faults.clear"), adminAuth] as const, responses: { 200: { description: "No faults", ...json } } });

export const faults = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const state = (active: ReturnType<typeof currentFaults>) => ({ faults: faultNames(active), available: FAULT_NAMES });

faults.openapi(read, (c) => c.json(state(currentFaults(c.var.config.devMode, c.var.config.faultsAtStart)), 200));

faults.openapi(write, (c) => {
  const parsed = parseFaults(c.req.valid("json").faults);
  if (!parsed) throw new AppError("validation_failed", [{ path: "faults", issue: `known faults: ${FAULT_NAMES.join(", ")}` }]);
  c.set("auditTarget", faultNames(parsed).join(",") || "none");
  return c.json(state(setFaults(c.var.config.devMode, parsed)), 200);
});

faults.openapi(clear, (c) => c.json(state(setFaults(c.var.config.devMode, NO_FAULTS)), 200));

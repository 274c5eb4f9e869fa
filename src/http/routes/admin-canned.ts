// A team's canned responses (admin only): read them, replace the list, or go back to the
// built-in one. The team's desk keeps the list and sends it to its open consoles at once.
// Changes are audited (desk.canned.replace, desk.canned.reset), refusals included.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { TEAM_PATTERN, TeamSchema } from "../../conversation/schemas.ts";
import { libraryIssues, TEMPLATE_VARIABLES, type CannedLibrary } from "../../desk/canned-library.ts";
import { DeskIdSchema } from "../../desk/protocol.ts";
import { unwrap } from "../../errors.ts";
import { deskOf, deskUnavailable } from "../../platform/desks.ts";
import { validationHook } from "../../validation.ts";
import { audited, paramTarget } from "../audit.ts";
import type { AppEnv } from "../context.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { operatorAuth } from "../middleware/operator-auth.ts";
import { errorResponses, jsonResponse } from "../schemas.ts";

const tags = ["Admin: canned responses"];
const security = [{ bearerAuth: [] }];
const adminOnly = operatorAuth("admin");
/** At most this many canned responses per team: a list an agent can still choose from. */
const MAX_ITEMS = 200;

const CannedSchema = z
  .strictObject({
    id: DeskIdSchema,
    locale: z.enum(["en", "zh-CN"]).openapi({ description: "The console lists English and Chinese responses apart." }),
    title: z.string().trim().min(1, "title must not be empty").max(80, "title must be at most 80 characters"),
    text: z
      .string()
      .trim()
      .min(1, "text must not be empty")
      .max(2_000, "text must be at most 2000 characters")
      .openapi({ description: `The reply; may use ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(", ")}, with a default after \`|\` ({{customer.name|there}}).` }),
  })
  .openapi("CannedResponse");

const ReplaceSchema = z
  .strictObject({
    items: z.array(CannedSchema).max(MAX_ITEMS, `at most ${MAX_ITEMS} canned responses`),
    revision: z.number().int().min(0).optional().openapi({ description: "The revision this list was edited from; a list changed since gets 409 `canned_revision_conflict`." }),
  })
  .superRefine((input, ctx) => {
    for (const { path, issue } of libraryIssues(input.items)) ctx.addIssue({ code: "custom", path: path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: issue });
  })
  .openapi("ReplaceCannedResponses");

const LibrarySchema = z
  .object({
    team: z.string(),
    items: z.array(CannedSchema),
    revision: z.number().int().openapi({ description: "Counted up with every change; 0 for a team that never changed its list." }),
    custom: z.boolean().openapi({ description: "Whether the team replaced the built-in list." }),
  })
  .openapi("CannedResponses");

const TeamParam = z.object({ team: TeamSchema.openapi({ param: { name: "team", in: "path" } }) });
const teamTarget = paramTarget(TEAM_PATTERN, "team");
const json = (description: string) => jsonResponse(LibrarySchema, description);
const path = "/v1/admin/teams/{team}/canned";

const read = createRoute({
  method: "get",
  path,
  tags,
  security,
  summary: "A team's canned responses",
  description: "Roles: `admin`. A team that never changed its list has the built-in one (revision 0).",
  middleware: [adminOnly] as const,
  request: { params: TeamParam },
  responses: { 200: json("The team's canned responses"), ...errorResponses(400, 401, 403, 503) },
});

const replace = createRoute({
  method: "put",
  path,
  tags,
  security,
  summary: "Replace a team's canned responses",
  description: "Roles: `admin`. The whole list, in the order agents see it. Ids are unique; a template may use only the variables a conversation gives. Open consoles of the team get the new list at once.",
  middleware: [audited("desk.canned.replace", teamTarget), adminOnly, jsonBody] as const,
  request: { params: TeamParam, body: { required: true, content: { "application/json": { schema: ReplaceSchema } } } },
  responses: { 200: json("The new list"), ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
});

const reset = createRoute({
  method: "delete",
  path,
  tags,
  security,
  summary: "Give a team the built-in canned responses again",
  description: "Roles: `admin`. The revision still counts up.",
  middleware: [audited("desk.canned.reset", teamTarget), adminOnly] as const,
  request: { params: TeamParam },
  responses: { 200: json("The built-in list"), ...errorResponses(400, 401, 403, 503) },
});

export const adminCanned = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const shaped = (team: string, library: CannedLibrary) => ({ team, items: [...library.items], revision: library.revision, custom: library.custom });

adminCanned.openapi(read, async (c) => {
  const { team } = c.req.valid("param");
  return c.json(shaped(team, await deskOf(c.env, team).cannedLibrary().catch(deskUnavailable)), 200);
});

adminCanned.openapi(replace, async (c) => {
  const { team } = c.req.valid("param");
  const { items, revision } = c.req.valid("json");
  const library = unwrap(await deskOf(c.env, team).replaceCanned(items, revision).catch(deskUnavailable));
  return c.json(shaped(team, library), 200);
});

adminCanned.openapi(reset, async (c) => {
  const { team } = c.req.valid("param");
  return c.json(shaped(team, await deskOf(c.env, team).resetCanned().catch(deskUnavailable)), 200);
});

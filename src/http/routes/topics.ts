// The chat's first screen: a greeting and a few popular topics of the KB in the page's
// language, from the region's replica. Public (nothing personal), cacheable for a minute.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { greetingFor } from "../../answer/greeting.ts";
import { LocaleSchema } from "../../conversation/schemas.ts";
import { languageOf } from "../../kb/text/tokens.ts";
import { replicaOf } from "../../platform/replicas.ts";
import { withTimeout } from "../../resilience/breaker.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { errorResponses } from "../schemas.ts";

const TOPICS = 4;

const FirstScreenSchema = z
  .object({
    greeting: z.string(),
    topics: z.array(z.object({ articleId: z.string(), title: z.string() })).openapi({ description: "Popular topics, offered as quick replies: sending a title asks that question." }),
  })
  .openapi("FirstScreen");

const route = createRoute({
  method: "get",
  path: "/v1/topics",
  tags: ["Conversations"],
  summary: "The chat's first screen: a greeting and popular topics",
  request: { query: z.object({ locale: LocaleSchema.default("en") }) },
  responses: { 200: { description: "Greeting and topics in the locale's language", content: { "application/json": { schema: FirstScreenSchema } } }, ...errorResponses(400) },
});

export const topics = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

topics.openapi(route, async (c) => {
  const { locale } = c.req.valid("query");
  const { config, location } = c.var;
  // A KB without the page's language offers its English topics.
  const replica = replicaOf(c.env, { region: location.region, shard: 0 });
  // Topics are a nicety: a slow or failing replica leaves just the greeting.
  const found = await withTimeout(replica.topics(languageOf(locale), "en", TOPICS), config.resilience.deadlineMs, "replica").catch(() => []);
  c.header("Cache-Control", "public, max-age=60");
  return c.json({ greeting: greetingFor(locale), topics: found.map((t) => ({ articleId: t.id, title: t.title })) }, 200);
});

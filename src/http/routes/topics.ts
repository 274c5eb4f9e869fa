// The chat's first screen: a greeting and a few popular topics of the KB in the page's
// language, from the region's replica. Public (nothing personal), cacheable for a minute;
// asked for a conversation with its token, it also mentions a returning verified customer's
// last conversation when that was left open lately (private, never cached).
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { greetingFor, returningGreeting } from "../../answer/greeting.ts";
import { LocaleSchema } from "../../conversation/schemas.ts";
import { languageOf } from "../../kb/text/tokens.ts";
import { replicaOf } from "../../platform/replicas.ts";
import { withTimeout } from "../../resilience/breaker.ts";
import { validationHook } from "../../validation.ts";
import type { AppEnv } from "../context.ts";
import { authorizedConversation } from "../middleware/conversation-auth.ts";
import { errorResponses } from "../schemas.ts";

const TOPICS = 4;

const FirstScreenSchema = z
  .object({
    greeting: z.string(),
    topics: z.array(z.object({ articleId: z.string(), title: z.string() })).openapi({ description: "Popular topics, offered as quick replies: sending a title asks that question." }),
    returning: z
      .object({
        kind: z.enum(["handed_off", "unresolved"]),
        at: z.string().openapi({ format: "date-time" }),
        text: z.string(),
        quickReply: z.object({ label: z.string(), action: z.literal("handoff") }).openapi({ description: "Ask for a person (POST /v1/conversations/:id/handoff, or the WebSocket's handoff frame)." }),
      })
      .optional()
      .openapi({ description: "Only with `conversation` and its token, for a verified customer whose last conversation in the last 7 days was handed off or unresolved." }),
  })
  .openapi("FirstScreen");

const route = createRoute({
  method: "get",
  path: "/v1/topics",
  tags: ["Conversations"],
  summary: "The chat's first screen: a greeting and popular topics",
  description: "With `conversation=<id>` and that conversation's token (`Authorization: Bearer`), a verified customer who returns within 7 days of a conversation that was handed off or left unresolved is greeted with a mention of it (`returning`) and a quick reply to the queue; the answer is then private.",
  request: {
    query: z.object({
      locale: LocaleSchema.default("en"),
      conversation: z.string().optional().openapi({ description: "The conversation the screen opens, with its token as Authorization: Bearer." }),
    }),
  },
  responses: { 200: { description: "Greeting and topics in the locale's language", content: { "application/json": { schema: FirstScreenSchema } } }, ...errorResponses(400, 401, 403, 404) },
});

export const topics = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

topics.openapi(route, async (c) => {
  const { locale, conversation } = c.req.valid("query");
  const { config, location } = c.var;
  // The customer's own conversation, checked before anything else is read.
  const own = conversation === undefined ? null : await authorizedConversation(c, conversation);
  // A KB without the page's language offers its English topics.
  const replica = replicaOf(c.env, { region: location.region, shard: 0 });
  // Topics are a nicety: a slow or failing replica leaves just the greeting.
  const found = await withTimeout(replica.topics(languageOf(locale), "en", TOPICS), config.resilience.deadlineMs, "replica").catch(() => []);
  const body = { greeting: greetingFor(locale), topics: found.map((t) => ({ articleId: t.id, title: t.title })) };
  if (!own) {
    c.header("Cache-Control", "public, max-age=60");
    return c.json(body, 200);
  }
  c.header("Cache-Control", "private, no-store");
  // Like the topics, a nicety: without an answer in time there is no mention.
  const mention = await withTimeout(own.stub.returning(), config.resilience.deadlineMs, "conversation").catch(() => null);
  return c.json(mention ? { ...body, returning: returningGreeting(locale, mention) } : body, 200);
});

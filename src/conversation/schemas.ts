// Input rules for conversations, in one place for HTTP routes and WebSocket frames alike.
import { z } from "@hono/zod-openapi";
import { HANDOFF_REASONS } from "../desk/model.ts";

export const TEXT_MAX = 4_000;
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;
export const PAGE_LIMIT_MAX = 200;

/** A UTF-16 surrogate without its partner: not text, and it cannot be stored or shown as UTF-8. */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Nothing a reader can see: whitespace, format characters (zero-width space and joiners, word
 * joiner, BOM, bidi marks, soft hyphen), the combining grapheme joiner and variation selectors.
 * An emoji joined by U+200D is not blank: the emoji are visible.
 */
const INVISIBLE_ONLY = /^[\s\p{Cf}\u034F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]*$/u;

export const TextSchema = z
  .string()
  .min(1, "text must not be empty")
  .max(TEXT_MAX, `text must be at most ${TEXT_MAX} characters`)
  .refine((s) => !LONE_SURROGATE.test(s), "text must be valid Unicode (no lone surrogates)")
  .refine((s) => !INVISIBLE_ONLY.test(s), "text must not be blank")
  .openapi({ example: "Where is my order?" });

/** Keys that mean something to JavaScript objects; refused so no copy of the record can be polluted. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export const ClientMessageIdSchema = z
  .string()
  .regex(CLIENT_MESSAGE_ID, "clientMessageId must be 8-64 characters of A-Z a-z 0-9 _ -")
  .openapi({ example: "c6f1f9b2-5a4e-4d0e-9a51-0b5a4c2f7e11" });

/** A KB article's id: `<locale>:<slug>`. */
export const ARTICLE_ID = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*:[a-z0-9][a-z0-9_-]{0,99}$/;
export const ArticleIdSchema = z.string().regex(ARTICLE_ID, "articleId is <locale>:<slug>").openapi({ example: "en:track-order" });

/** A suggested article the customer picked: the article, and the seq of the reply that offered it. */
export const ChoiceSchema = z
  .strictObject({
    articleId: ArticleIdSchema,
    inReplyTo: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ example: 2 }),
  })
  .openapi("Choice", { description: "The customer picked a suggested article (a quick reply of a clarification or an out-of-scope reply). A choice the reply did not offer is ignored; the text is answered either way." });

export const SendInputSchema = z
  .strictObject({ text: TextSchema, clientMessageId: ClientMessageIdSchema, choice: ChoiceSchema.optional() })
  .openapi("SendMessage");

export const LocaleSchema = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "locale must be a BCP 47 tag such as en or zh-CN")
  .openapi({ example: "zh-CN" });

/** A team (its desk's name): short, URL- and log-safe. */
export const TEAM_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
export const TeamSchema = z
  .string()
  .regex(TEAM_PATTERN, "team is 1-64 characters of A-Z a-z 0-9 _ . : -")
  .openapi({ example: "billing" });

export const CreateInputSchema = z
  .strictObject({
    locale: LocaleSchema.optional(),
    team: TeamSchema.optional().openapi({ description: "The team whose agents take this conversation when the customer asks for a person; DEFAULT_TEAM when absent." }),
    customer: z
      .strictObject({
        id: z.string().min(1).max(128).regex(/^[^\p{Cc}]+$/u, "customer id must not contain control characters").optional(),
        name: z.string().min(1).max(200).optional(),
        email: z.email().max(254).optional(),
      })
      .optional()
      .openapi({ description: "Who the customer is, as the host site knows them. Kept encrypted; an id without a valid customerSignature is kept as unverified and never joined with verified data." }),
    customerSignature: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "customerSignature is 64 lower-case hex characters")
      .optional()
      .openapi({ description: "Hex HMAC-SHA256 of customer.id under CUSTOMER_SIGNING_SECRET, computed by the host site's server (identity verification)." }),
    metadata: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,40}$/, "metadata keys are 1-40 characters of A-Z a-z 0-9 _ . -")
          .refine((k) => !RESERVED_KEYS.has(k), "metadata keys may not be __proto__, constructor or prototype"),
        z.string().max(500),
      )
      .refine((m) => Object.keys(m).length <= 20, "metadata has at most 20 keys")
      .optional(),
  })
  .openapi("CreateConversation");

export const COMMENT_MAX = 1_000;

/** Asking for a person. Without a reason: an accepted offer keeps the offer's reason, else `customer_request`. */
export const HandoffRequestSchema = z.strictObject({ reason: z.enum(HANDOFF_REASONS).optional() }).openapi("HandoffRequest");

/** The customer's rating of the conversation (CSAT); a later rating replaces an earlier one. */
export const RatingSchema = z
  .strictObject({
    score: z.number().int("score must be a whole number").min(1, "score is 1 to 5").max(5, "score is 1 to 5"),
    comment: z.string().max(COMMENT_MAX, `comment must be at most ${COMMENT_MAX} characters`).optional(),
  })
  .openapi("Rating");

/** Whether one of the bot's answers helped; a later mark replaces an earlier one. */
export const FeedbackSchema = z.strictObject({ helpful: z.boolean() }).openapi("Feedback");

/** A message left for the team when no agent can take the conversation: stored in the transcript, the address goes to the desk's ticket. */
export const OfflineMessageSchema = z
  .strictObject({ email: z.email("email must be an email address").max(254), text: TextSchema, clientMessageId: ClientMessageIdSchema })
  .openapi("OfflineMessage");

/** Frames a client may send over the WebSocket. */
export const ClientFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("message"), text: TextSchema, clientMessageId: ClientMessageIdSchema, choice: ChoiceSchema.optional() }),
  z.strictObject({ type: z.literal("handoff"), reason: z.enum(HANDOFF_REASONS).optional() }),
  z.strictObject({ type: z.literal("rating"), score: RatingSchema.shape.score, comment: RatingSchema.shape.comment }),
  /** The customer is typing (shown to the agent who has the conversation). */
  z.strictObject({ type: z.literal("typing") }),
  z.strictObject({ type: z.literal("offline_message"), email: OfflineMessageSchema.shape.email, text: TextSchema, clientMessageId: ClientMessageIdSchema }),
]);

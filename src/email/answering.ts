// The bot's side of an email conversation. Mail has no "Did you mean…?": a message the bot
// answers (an article, small talk) is answered by mail; anything else (clarify, out of scope,
// an offer of a person) goes to the team's queue with its reason, and the customer is told
// that the team will reply. The turn's decision is kept in the reply's meta for ops.
import type { Answer, Answerer, AnswerRequest } from "../answer/answerer.ts";
import type { HandoffReason } from "../desk/model.ts";
import type { Message, ReplyMeta } from "../conversation/types.ts";
import { mailLanguage, mailTexts } from "./texts.ts";

/** Customer messages that came by mail carry a clientMessageId with this prefix (then the mail's keyed id). */
export const EMAIL_MESSAGE_PREFIX = "email-";

/** Whether a customer message came by mail. */
export function cameByMail(message: Pick<Message, "clientMessageId"> | null | undefined): boolean {
  return message?.clientMessageId?.startsWith(EMAIL_MESSAGE_PREFIX) ?? false;
}

/** Whether the bot answers a decision by mail itself (else the team does). */
export function answeredByMail(meta: ReplyMeta | undefined): boolean {
  return meta?.decision === "answer" || meta?.decision === "smalltalk";
}

/** Why a mail the bot did not answer goes to the team. */
export function queueReason(meta: ReplyMeta | undefined): HandoffReason {
  switch (meta?.handoff?.reason) {
    case "requested":
      return "customer_request";
    case "negative_sentiment":
      return "negative_sentiment";
    case "repeated_failures":
      return "repeated_failures";
    default:
      return "no_answer";
  }
}

/** Wraps the answerer: a mail's reply is the answer, or the note that the team will reply. */
export class MailAwareAnswerer implements Answerer {
  private readonly inner: Answerer;

  constructor(inner: Answerer) {
    this.inner = inner;
  }

  async answer(request: AnswerRequest, onDelta?: (text: string) => void): Promise<Answer> {
    if (!cameByMail(request.message)) return this.inner.answer(request, onDelta);
    // No streaming for mail: the answer goes out whole.
    const answer = await this.inner.answer(request);
    if (answeredByMail(answer.meta)) return answer;
    const { suggestions: _suggestions, ...meta } = answer.meta;
    const language = mailLanguage(answer.state?.language ?? request.state.language ?? request.locale);
    return { ...answer, text: mailTexts(language).queued, meta };
  }
}

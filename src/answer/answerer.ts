// The answerer port: what the conversation asks of whatever produces replies. The
// conversation stores and delivers; the answerer only decides what to say.
import type { Message, ReplyMeta } from "../conversation/types.ts";
import type { DialogueState } from "./dialogue.ts";

export interface AnswerRequest {
  /** The customer's message being answered. */
  message: Message;
  /** The conversation's locale, used when the message's language is unclear. */
  locale: string;
  /** What the conversation remembers from earlier turns. */
  state: DialogueState;
}

export interface Answer {
  text: string;
  meta: ReplyMeta;
  /** The dialogue state after this turn; stored with the reply. Absent: unchanged. */
  state?: DialogueState;
}

export interface Answerer {
  /** Produces the reply; `onDelta` receives text as it is generated, when streaming. */
  answer(request: AnswerRequest, onDelta?: (text: string) => void): Promise<Answer>;
}

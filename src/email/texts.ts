// The words the email channel adds around replies, in English and Simplified Chinese (the
// conversation's language picks them): the note that a message went to the team, sources,
// the note about attachments, the footer, and a subject for mail that had none.
import type { AttachmentNote } from "./inbound.ts";

export type MailLanguage = "en" | "zh";

const TEXTS = {
  en: {
    queued: "Thank you for your message. We have passed it to our support team, who will reply to this email.",
    source: (title: string) => `Source: ${title}`,
    attachments: (list: string) => `We do not keep attachments, so we could not see: ${list}. Please describe in your reply what they show.`,
    footer: "Reply to this email to continue. You can ask for a person at any time.",
    noSubject: "Your message",
  },
  zh: {
    queued: "感谢您的来信。我们已将您的问题转交客服团队，他们会通过邮件回复您。",
    source: (title: string) => `来源：${title}`,
    attachments: (list: string) => `我们不保存附件，因此无法查看：${list}。请在回复中说明附件的内容。`,
    footer: "直接回复此邮件即可继续。如需人工客服，请随时告诉我们。",
    noSubject: "您的来信",
  },
} as const;

/** The mail language of a conversation's language or locale ("zh", "zh-CN" → zh; anything else → en). */
export function mailLanguage(language: string): MailLanguage {
  return language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function mailTexts(language: MailLanguage) {
  return TEXTS[language];
}

/** "invoice.pdf (120 KB), photo.jpg (2.1 MB)". */
export function attachmentList(attachments: AttachmentNote[]): string {
  return attachments.map((a) => `${a.name} (${size(a.size)})`).join(", ");
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

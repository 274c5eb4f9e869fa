// The saved replies agents can insert. Templates use the variables `{{customer.name}}`,
// `{{agent.name}}` and `{{conversation.id}}` (src/desk/canned.ts), with a default after `|`
// where a value may be missing. Every team starts with the built-in list below, in English
// and Simplified Chinese; an admin can replace a team's list
// (`PUT /v1/admin/teams/{team}/canned`), which its desk keeps (durable-objects/agent-desk-canned.ts).
import { templateVariables } from "./canned.ts";

export interface CannedResponse {
  id: string;
  locale: "en" | "zh-CN";
  title: string;
  text: string;
}

export const CANNED_RESPONSES: readonly CannedResponse[] = [
  { id: "greeting", locale: "en", title: "Greeting", text: "Hi {{customer.name|there}}, I'm {{agent.name}} from the support team. I'll take it from here." },
  { id: "checking", locale: "en", title: "Checking", text: "Thanks for your patience. I'm looking into this now and will be back with you in a moment." },
  { id: "more-details", locale: "en", title: "Order number", text: "Could you tell me your order number so that I can find it?" },
  { id: "anything-else", locale: "en", title: "Anything else?", text: "Is there anything else I can help you with today?" },
  { id: "closing", locale: "en", title: "Closing", text: "Thank you for contacting us, {{customer.name|and have a nice day}}! If you need anything else, just write here." },
  { id: "greeting-zh", locale: "zh-CN", title: "问候", text: "{{customer.name|您}}好，我是客服{{agent.name}}，接下来由我为您服务。" },
  { id: "checking-zh", locale: "zh-CN", title: "正在查询", text: "感谢您的耐心等待，我正在为您查询，请稍候。" },
  { id: "more-details-zh", locale: "zh-CN", title: "订单号", text: "请提供您的订单号，方便我为您查询。" },
  { id: "anything-else-zh", locale: "zh-CN", title: "还有其他问题吗", text: "请问还有其他可以帮您的吗？" },
  { id: "closing-zh", locale: "zh-CN", title: "结束语", text: "感谢您的咨询，祝您生活愉快！如有其他问题，欢迎随时联系我们。" },
];

/** The variables a conversation gives a template (durable-objects/conversation-handoff.ts). */
export const TEMPLATE_VARIABLES = ["customer.name", "agent.name", "conversation.id"] as const;

/** A team's canned responses, and the revision its desk counts up with every change (0: the built-in list). */
export interface CannedLibrary {
  items: readonly CannedResponse[];
  revision: number;
  /** Whether the team replaced the built-in list. */
  custom: boolean;
}

export const BUILT_IN_LIBRARY: CannedLibrary = { items: CANNED_RESPONSES, revision: 0, custom: false };

/** What is wrong with a list to save: ids used twice, variables no conversation gives. Paths and rules only. */
export function libraryIssues(items: readonly CannedResponse[]): Array<{ path: string; issue: string }> {
  const issues: Array<{ path: string; issue: string }> = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) issues.push({ path: `items.${i}.id`, issue: "ids must be unique" });
    seen.add(item.id);
    const unknown = templateVariables(item.text).filter((v) => !(TEMPLATE_VARIABLES as readonly string[]).includes(v));
    if (unknown.length) issues.push({ path: `items.${i}.text`, issue: `uses a variable no conversation gives; use ${TEMPLATE_VARIABLES.join(", ")}` });
  });
  return issues;
}

/** The canned response with this id in a library, if any. */
export function cannedResponse(library: CannedLibrary, id: string): CannedResponse | null {
  return library.items.find((c) => c.id === id) ?? null;
}

// UI text in English and Simplified Chinese, and the choice between them.
import { load, save } from "./storage.js";

export const STRINGS = {
  en: {
    title: "Customer support",
    label: "Your message",
    placeholder: "Type your question…",
    keys: "Enter sends, Shift+Enter adds a new line.",
    send: "Send",
    end: "End chat",
    typing: "The assistant is typing…",
    connecting: "Connecting…",
    online: "Online",
    reconnecting: "Reconnecting…",
    fallback: "Connected (basic mode)",
    ended: "This conversation has ended.",
    restart: "Start a new conversation",
    switchTo: "中文",
    langHint: "Switch the language to Simplified Chinese",
    you: "You",
    assistant: "Assistant",
    agent: "Agent",
    sending: "Sending…",
    limited: "Limited mode: some answers may be less complete while we recover.",
    source: "Source",
    suggestions: "Suggested questions",
    errors: {
      rate_limited: "You're sending messages too quickly. Please wait a moment.",
      conversation_closed: "This conversation has ended.",
      default: "Something went wrong. Please try again.",
    },
  },
  "zh-CN": {
    title: "在线客服",
    label: "您的消息",
    placeholder: "请输入您的问题…",
    keys: "按 Enter 发送，Shift+Enter 换行。",
    send: "发送",
    end: "结束对话",
    typing: "智能助手正在输入…",
    connecting: "正在连接…",
    online: "在线",
    reconnecting: "正在重新连接…",
    fallback: "已连接（基础模式）",
    ended: "本次对话已结束。",
    restart: "开始新的对话",
    switchTo: "English",
    langHint: "将界面语言切换为英文",
    you: "您",
    assistant: "智能助手",
    agent: "人工客服",
    sending: "发送中…",
    limited: "受限模式：服务恢复期间，部分回答可能不够完整。",
    source: "来源",
    suggestions: "推荐问题",
    errors: {
      rate_limited: "您发送得太快了，请稍候再试。",
      conversation_closed: "本次对话已结束。",
      default: "出了点问题，请重试。",
    },
  },
};

/** The UI language: ?lang=, then the saved choice, then the browser's language. */
export function pickLanguage(search = location.search) {
  const asked = new URLSearchParams(search).get("lang");
  const saved = load("holdfast.lang");
  const candidate = asked || saved || navigator.language || "en";
  return candidate.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function saveLanguage(lang) {
  save("holdfast.lang", lang);
}

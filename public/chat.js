// The customer chat page: renders the conversation kept by ChatClient, in English or
// Simplified Chinese, usable by keyboard and on a phone.
import { ChatClient } from "./chat-client.js";
import { pickLanguage, saveLanguage, STRINGS } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let lang = pickLanguage();
let t = STRINGS[lang];
let client;
const bubbles = new Map(); // seq or clientMessageId → <li>
let typingTimer;

if (new URLSearchParams(location.search).has("embed")) document.body.classList.add("embedded");

function applyLanguage() {
  t = STRINGS[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t[el.dataset.i18nPlaceholder];
  $("lang").textContent = t.switchTo;
  $("lang").lang = lang === "en" ? "zh-CN" : "en";
  setStatus($("status").dataset.state);
}

function setStatus(state) {
  $("status").dataset.state = state;
  $("status").textContent = t[state] ?? "";
}

/** Minimal, safe Markdown for KB answers: everything is escaped, then bold, italics and code. */
function markdown(text) {
  const escaped = text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  return escaped
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1<em>$2</em>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>");
}

function bubble(role, text, key) {
  const li = document.createElement("li");
  li.className = `msg ${role}`;
  const who = document.createElement("span");
  who.className = "who visually-hidden";
  who.textContent = `${role === "customer" ? t.you : role === "agent" ? t.agent : t.assistant}: `;
  const body = document.createElement("p");
  body.className = "text";
  if (role === "customer") body.textContent = text;
  else body.innerHTML = markdown(text);
  li.append(who, body);
  bubbles.set(key, li);
  return li;
}

/** Quick replies for suggested articles, and the source of an answer. */
function extras(li, meta) {
  const source = meta?.citations?.[0];
  if (source) {
    const cite = document.createElement("p");
    cite.className = "source";
    cite.textContent = `${t.source}: ${source.title}`;
    li.append(cite);
  }
  if (meta?.suggestions?.length) {
    const list = document.createElement("div");
    list.className = "quick-replies";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", t.suggestions);
    for (const s of meta.suggestions) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = s.title;
      button.addEventListener("click", () => sendText(s.title));
      list.append(button);
    }
    li.append(list);
  }
}

function show(message) {
  if (bubbles.has(message.seq)) return;
  const pending = message.clientMessageId && bubbles.get(message.clientMessageId);
  const li = bubble(message.role, message.text, message.seq);
  li.dataset.seq = message.seq;
  if (message.meta?.mode === "degraded") li.classList.add("degraded");
  if (message.role !== "customer") extras(li, message.meta);
  if (pending) pending.replaceWith(li);
  else {
    // A streamed draft of this reply is replaced by the stored message.
    const draft = message.replyTo && bubbles.get(`draft-${message.replyTo}`);
    if (draft) draft.replaceWith(li);
    else $("log").append(li);
  }
  if (message.role !== "customer") hideTyping();
  notice(message.meta);
  li.scrollIntoView({ block: "end" });
}

function notice(meta) {
  if (!meta) return;
  $("notice").hidden = meta.mode !== "degraded";
  $("notice").textContent = meta.mode === "degraded" ? t.limited : "";
}

function showTyping() {
  $("typing").hidden = false;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, 15_000);
}

function hideTyping() {
  $("typing").hidden = true;
}

function delta(replyTo, text) {
  let draft = bubbles.get(`draft-${replyTo}`);
  if (!draft) {
    draft = bubble("assistant", "", `draft-${replyTo}`);
    $("log").append(draft);
  }
  draft.querySelector(".text").textContent += text;
}

function failed(code, clientMessageId) {
  const li = clientMessageId && bubbles.get(clientMessageId);
  const text = t.errors[code] ?? t.errors.default;
  if (li) {
    li.classList.add("failed");
    li.querySelector(".state").textContent = text;
  } else {
    $("notice").hidden = false;
    $("notice").textContent = text;
  }
  if (code === "conversation_closed") ended();
}

function ended() {
  hideTyping();
  $("composer").hidden = true;
  $("end").hidden = true;
  $("ended").hidden = false;
  $("restart").focus();
}

function submit(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  sendText(text);
}

function sendText(text) {
  const clientMessageId = client.send(text);
  if (bubbles.has(clientMessageId)) return;
  const li = bubble("customer", text, clientMessageId);
  li.classList.add("pending");
  const state = document.createElement("span");
  state.className = "state";
  state.textContent = t.sending;
  li.append(state);
  $("log").append(li);
  li.scrollIntoView({ block: "end" });
}

async function start() {
  applyLanguage();
  client = new ChatClient({
    locale: lang,
    onMessage: show,
    onAck: (clientMessageId) => bubbles.get(clientMessageId)?.classList.remove("pending"),
    onTyping: showTyping,
    onDelta: delta,
    onStatus: setStatus,
    onClosed: ended,
    onError: failed,
  });
  await client.start();
}

$("composer").addEventListener("submit", submit);
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
});
$("lang").addEventListener("click", () => {
  lang = lang === "en" ? "zh-CN" : "en";
  saveLanguage(lang);
  applyLanguage();
});
$("end").addEventListener("click", async () => {
  await client.end();
  ended();
});
$("restart").addEventListener("click", () => {
  client.forget();
  location.reload();
});

start().catch(() => {
  setStatus("reconnecting");
  setTimeout(() => location.reload(), 5_000);
});

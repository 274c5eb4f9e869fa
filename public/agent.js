// The agent console (/agent): sign in with an operator key, set presence and capacity, work
// the team's queue (waiting times, SLA state), and handle conversations: the transcript with
// the bot's sources and suggestions, private notes, canned responses, transfer, hand back,
// close. Keyboard-first (shortcuts on the page), in English or Simplified Chinese.
import { DeskClient, landRead, newId, renderTemplate } from "./agent-client.js";
import { AGENT_STRINGS, pickAgentLanguage, saveAgentLanguage } from "./agent-i18n.js";
import { assistItems, cannedOptions, el, fill, historyItem, messageRow, noteRow, queueEntry, ticketItem } from "./agent-render.js";

const $ = (id) => document.getElementById(id);
let lang = pickAgentLanguage();
let t = AGENT_STRINGS[lang];
let queue = { items: [], agents: [], breaches: { firstResponse: 0, nextResponse: 0 } };
let queueAt = Date.now();
let tickets = [];
let canned = [];
let current = null;
let past = null; // an earlier conversation of the current one's customer, open for reading: { id, view }
const views = new Map(); // conversationId → { view, messages: Map<seq, message>, notes, assist }
const pending = new Map(); // clientMessageId → { conversationId, kind, text }
const notices = new Map(); // conversationId → notice text key
let typingTimer;

const client = new DeskClient({ onFrame, onStatus, onSignedOut: (code) => showSignIn(code) });

function applyLanguage() {
  t = AGENT_STRINGS[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t[node.dataset.i18n];
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t[node.dataset.i18nPlaceholder];
  for (const option of $("resolution").options) option.textContent = t.resolutions[option.value];
  $("lang").textContent = t.switchTo;
  $("lang").lang = lang === "en" ? "zh-CN" : "en";
  $("keys").replaceChildren(...t.keys.flatMap(([keys, what]) => [el("dt", "", keys), el("dd", "", what)]));
  onStatus($("conn").dataset.state);
  renderAll();
}

function onStatus(state) {
  $("conn").dataset.state = state;
  $("conn").textContent = t[state] ?? "";
}

function showSignIn(code) {
  $("signin").hidden = false;
  $("desk").hidden = true;
  $("controls").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("signin-error").hidden = !code;
  $("signin-error").textContent = code ? (t.errors[code] ?? t.errors.default) : "";
  $("key").focus();
}

function showDesk() {
  const me = client.agent;
  $("signin").hidden = true;
  $("desk").hidden = false;
  $("controls").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = `${me.name} · ${me.team}`;
  client.connect();
  renderAll();
}

function onFrame(f) {
  switch (f.type) {
    case "presence":
      $("presence").value = f.status;
      $("capacity").value = f.capacity;
      break;
    case "queue":
      queue = f;
      queueAt = Date.now();
      renderLists();
      break;
    case "tickets":
      tickets = f.tickets;
      renderTickets();
      break;
    case "canned":
      canned = f.items;
      renderCanned();
      break;
    case "assigned":
      notices.delete(f.conversationId);
      if (!current || !isMine(current)) select(f.conversationId);
      else if (f.conversationId === current) select(current);
      break;
    case "unassigned":
      notices.set(f.conversationId, f.reason);
      if (f.conversationId === current) renderView();
      break;
    case "message":
      viewOf(f.conversationId)?.messages.set(f.message.seq, f.message);
      if (f.message.clientMessageId) pending.delete(f.message.clientMessageId);
      if (f.message.role === "customer" && f.conversationId === current) $("customer-typing").hidden = true;
      if (f.conversationId === current) renderTranscript();
      break;
    case "note": {
      const v = viewOf(f.conversationId);
      if (v && !v.notes.some((n) => n.id === f.id)) v.notes.push({ id: f.id, afterSeq: f.afterSeq, text: f.text, agent: f.agent, createdAt: f.createdAt });
      if (f.conversationId === current) renderTranscript();
      break;
    }
    case "typing":
      if (f.conversationId !== current) break;
      $("customer-typing").hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => ($("customer-typing").hidden = true), 5_000);
      break;
    case "assist": {
      const v = viewOf(f.conversationId);
      if (v) v.assist = { seq: f.seq, articles: f.articles };
      if (f.conversationId === current) renderAssist();
      break;
    }
    case "ack": {
      const sent = pending.get(f.clientMessageId);
      pending.delete(f.clientMessageId);
      const v = sent && viewOf(sent.conversationId);
      // Stored: shown at its seq until the relayed copy (or the next read) replaces it.
      if (v && f.noteId === undefined && !v.messages.has(f.seq)) v.messages.set(f.seq, { seq: f.seq, role: "agent", text: sent.text, agent: client.agent });
      if (v && f.noteId !== undefined && !v.notes.some((n) => n.id === f.noteId)) v.notes.push({ id: f.noteId, afterSeq: f.seq, text: sent.text, agent: client.agent });
      if (current) renderTranscript();
      break;
    }
    case "error":
      if (f.clientMessageId) pending.delete(f.clientMessageId);
      showError(f.code);
      if (current) renderTranscript();
      break;
  }
}

function viewOf(id) {
  return views.get(id) ?? null;
}

function itemOf(id) {
  return queue.items.find((i) => i.conversationId === id) ?? null;
}

function isMine(id) {
  return itemOf(id)?.agent?.agentId === client.agent?.id;
}

async function select(id) {
  if (current !== id) past = null;
  current = id;
  $("composer-error").hidden = true;
  renderLists();
  try {
    const view = await client.read(id);
    if (current !== id) return;
    views.set(id, landRead(view, views.get(id)));
  } catch (err) {
    showError(err.code);
  }
  renderView();
}

function renderAll() {
  renderLists();
  renderTickets();
  renderCanned();
  renderView();
}

/** Seconds since the queue frame came: waiting times grow and SLA clocks run down by it. */
function elapsed() {
  return Math.floor((Date.now() - queueAt) / 1000);
}

function entry(item) {
  return queueEntry(t, item, { current, me: client.agent?.id, customerName: viewOf(item.conversationId)?.view.conversation.customer?.name, elapsed: elapsed(), onSelect: () => select(item.conversationId) });
}

function renderLists() {
  if (!client.agent) return;
  const mine = queue.items.filter((i) => i.status === "assigned" && i.agent?.agentId === client.agent.id);
  const others = queue.items.filter((i) => !mine.includes(i));
  fill($("mine"), mine.map(entry), t.none);
  fill($("queue"), others.map(entry), t.none);
  $("breaches").textContent = queue.breaches.firstResponse + queue.breaches.nextResponse ? t.breaches(queue.breaches.firstResponse, queue.breaches.nextResponse) : "";
  fill($("team"), queue.agents.map((a) => el("li", `presence-${a.presence}`, t.agentLine(a))), t.none);
  const transfer = $("transfer-to");
  const chosen = transfer.value;
  const colleagues = queue.agents.filter((a) => a.agentId !== client.agent.id).map((a) => Object.assign(el("option", "", a.name), { value: a.agentId, disabled: a.presence !== "online" }));
  transfer.replaceChildren(Object.assign(el("option", "", t.transferTo), { value: "" }), ...colleagues);
  transfer.value = chosen;
  if (current) renderHeader();
}

function renderTickets() {
  fill($("tickets"), tickets.map((ticket) => ticketItem(t, ticket, () => select(ticket.conversationId), () => client.send({ type: "close_ticket", ticketId: ticket.ticketId }))), t.none);
}

function renderCanned() {
  $("canned").replaceChildren(...cannedOptions(t, canned));
}

function renderView() {
  const v = current && viewOf(current);
  $("pick").hidden = Boolean(v);
  $("view").hidden = !v;
  if (!v) return;
  renderHeader();
  renderTranscript();
  renderAssist();
  renderHistory();
}

/** The customer's earlier conversations (verified customers only), and the one open for reading. */
function renderHistory() {
  const v = current && viewOf(current);
  const history = v?.view.history ?? [];
  $("history").hidden = history.length === 0;
  $("history-list").replaceChildren(...history.map((h) => historyItem(t, h, () => openPast(h.id))));
  $("past").hidden = !past;
  $("transcript").hidden = Boolean(past);
  if (!past) return;
  const entry = history.find((h) => h.id === past.id);
  $("past-title").textContent = t.pastTitle(entry?.startedAt ?? past.view.conversation.createdAt);
  $("past-transcript").replaceChildren(...past.view.messages.map((m) => messageRow(t, m)));
}

/** Reads an earlier conversation through the current one (the read is audited like any other). */
async function openPast(id) {
  const via = current;
  try {
    const view = await client.read(id, via);
    if (current !== via) return;
    past = { id, view };
  } catch (err) {
    showError(err.code);
  }
  renderHistory();
  $("past-close").focus();
}

/** The conversation's title, state line, notice and the actions the agent has on it. */
function renderHeader() {
  const v = viewOf(current);
  if (!v) return;
  const c = v.view.conversation;
  const who = c.customer?.name ?? c.customer?.email ?? t.customer;
  $("conv-title").textContent = c.subject ? `${c.subject} · ${who}` : `${who} · ${c.id.slice(-8)}`;
  const item = itemOf(current);
  const state = item ? t.status[item.status] : t.status[c.status];
  $("conv-meta").textContent = [t.channels[c.channel] ?? c.channel, state, c.locale, c.region, item && (t.reasons[item.reason] ?? item.reason), c.team].filter(Boolean).join(" · ");
  const notice = c.ticket ? t.ticketNotice(c.ticket) : notices.has(current) ? t.unassigned[notices.get(current)] : "";
  $("conv-notice").hidden = !notice;
  $("conv-notice").textContent = notice;
  renderActions();
}

function renderActions() {
  if (!current) return;
  const item = itemOf(current);
  const mine = isMine(current);
  $("claim").hidden = item?.status !== "waiting";
  for (const id of ["release", "transfer-to", "transfer-team", "transfer", "resolution", "answered-by", "close"]) $(id).hidden = !mine;
  // A message left for the team is answered by any agent of the team, by email.
  const c = viewOf(current)?.view.conversation;
  const ticket = Boolean(c?.ticket) && !item;
  $("composer").hidden = !mine && !ticket;
  const byMail = c?.channel === "email" || ticket;
  if (!$("mode-note").checked) $("reply-label").textContent = byMail ? t.composerMail : t.composer;
  $("reply").placeholder = byMail ? t.composerMail : t.composer;
}

function renderTranscript() {
  const v = current && viewOf(current);
  if (!v) return;
  const rows = [];
  const notesAfter = (seq) => v.notes.filter((n) => n.afterSeq === seq).map((n) => noteRow(t, n));
  rows.push(...notesAfter(0));
  for (const m of [...v.messages.values()].sort((a, b) => a.seq - b.seq)) rows.push(messageRow(t, m), ...notesAfter(m.seq));
  for (const p of pending.values()) {
    if (p.conversationId !== current) continue;
    const row = p.kind === "note" ? noteRow(t, { text: p.text, agent: client.agent }) : messageRow(t, { role: "agent", text: p.text, agent: client.agent });
    row.classList.add("pending");
    rows.push(row);
  }
  $("transcript").replaceChildren(...rows);
  stickToBottom();
}

function renderAssist() {
  const v = current && viewOf(current);
  const articles = v?.assist?.articles ?? [];
  $("assist").hidden = articles.length === 0;
  $("assist-list").replaceChildren(...assistItems(t, articles, insertText));
  // Closing can name the article that answered the customer: it teaches the KB their question.
  const none = Object.assign(document.createElement("option"), { value: "", textContent: t.answeredByNone });
  $("answered-by").replaceChildren(none, ...articles.filter((a) => a.articleId).map((a) => Object.assign(document.createElement("option"), { value: a.articleId, textContent: a.title })));
  // The panel takes room from the transcript: keep its latest message in sight.
  stickToBottom();
}

function stickToBottom() {
  const log = $("transcript");
  log.scrollTop = log.scrollHeight;
}

/** The suggested article whose answer was inserted into the reply being written, if any. */
let inserted = null;

/** @param {string} text @param {string} [articleId] the suggested article whose answer this is */
function insertText(text, articleId) {
  if (articleId && current) inserted = { conversationId: current, articleId };
  const box = $("reply");
  box.value = box.value ? `${box.value}\n${text}` : text;
  box.focus();
}

function showError(code) {
  $("composer-error").hidden = false;
  $("composer-error").textContent = t.errors[code] ?? t.errors.default;
}

function send(event) {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text || !current) return;
  const kind = $("mode-note").checked ? "note" : "message";
  const clientMessageId = newId();
  pending.set(clientMessageId, { conversationId: current, kind, text });
  // A reply that inserts a suggested article's answer confirms the article for the customer's question.
  const articleId = kind === "message" && inserted?.conversationId === current ? inserted.articleId : undefined;
  inserted = null;
  client.send({ type: kind, conversationId: current, text, clientMessageId, ...(articleId && { articleId }) });
  $("reply").value = "";
  $("composer-error").hidden = true;
  renderTranscript();
}

function act(frame) {
  if (!current) return;
  client.send({ ...frame, conversationId: current });
}

function moveSelection(step) {
  const ids = [...document.querySelectorAll(".item-button")].map((b) => b.dataset.id);
  if (!ids.length) return;
  const next = ids[(ids.indexOf(current) + step + ids.length) % ids.length];
  select(next);
  document.querySelector(`.item-button[data-id="${next}"]`)?.focus();
}

function setMode(note) {
  $(note ? "mode-note" : "mode-reply").checked = true;
  $("reply-label").textContent = note ? t.composerNote : t.composer;
  $("composer").classList.toggle("noting", note);
  if (!note) renderActions();
}

const SHORTCUTS = {
  KeyJ: () => moveSelection(1),
  KeyK: () => moveSelection(-1),
  KeyC: () => {
    const waiting = itemOf(current)?.status === "waiting" ? current : queue.items.find((i) => i.status === "waiting")?.conversationId;
    if (waiting) client.send({ type: "claim", conversationId: waiting });
  },
  KeyN: () => setMode(!$("mode-note").checked),
  KeyR: () => $("canned").focus(),
  KeyI: () => {
    const article = viewOf(current)?.assist?.articles.find((a) => a.answer);
    if (article) insertText(article.answer, article.articleId);
  },
  KeyT: () => $("transfer-to").focus(),
  KeyB: () => act({ type: "release" }),
  KeyX: () => $("resolution").focus(),
  KeyP: () => {
    const order = ["online", "away", "offline"];
    $("presence").value = order[(order.indexOf($("presence").value) + 1) % order.length];
    sendPresence();
  },
  KeyL: () => $("lang").click(),
};

function sendPresence() {
  const capacity = Math.min(20, Math.max(1, Number($("capacity").value) || 1));
  client.send({ type: "presence", status: $("presence").value, capacity });
}

document.addEventListener("keydown", (e) => {
  if (e.altKey && !e.ctrlKey && !e.metaKey && SHORTCUTS[e.code] && client.agent) {
    e.preventDefault();
    SHORTCUTS[e.code]();
  } else if (e.key === "Escape" && document.activeElement === $("reply")) {
    document.querySelector(".item-button[aria-current]")?.focus();
  }
});

$("signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await client.signIn($("key").value.trim());
    $("key").value = "";
    client.stopped = false;
    showDesk();
  } catch (err) {
    showSignIn(err.code ?? "default");
  }
});
$("signout").addEventListener("click", () => {
  client.signOut();
  showSignIn();
});
$("lang").addEventListener("click", () => {
  lang = lang === "en" ? "zh-CN" : "en";
  saveAgentLanguage(lang);
  applyLanguage();
});
$("presence").addEventListener("change", sendPresence);
$("capacity").addEventListener("change", sendPresence);
$("composer").addEventListener("submit", send);
$("reply").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
});
$("reply").addEventListener("input", () => current && !$("mode-note").checked && client.send({ type: "typing", conversationId: current }));
for (const id of ["mode-reply", "mode-note"]) $(id).addEventListener("change", () => setMode($("mode-note").checked));
$("canned").addEventListener("change", () => {
  const chosen = canned.find((c) => c.id === $("canned").value);
  $("canned").value = "";
  const c = current && viewOf(current)?.view.conversation;
  if (chosen && c) insertText(renderTemplate(chosen.text, { customer: { name: c.customer?.name }, agent: { name: client.agent.name }, conversation: { id: c.id } }));
});
$("past-close").addEventListener("click", () => {
  past = null;
  renderHistory();
  stickToBottom();
});
$("claim").addEventListener("click", () => act({ type: "claim" }));
$("release").addEventListener("click", () => act({ type: "release" }));
$("transfer").addEventListener("click", () => {
  const team = $("transfer-team").value.trim();
  const agentId = $("transfer-to").value;
  if (team || agentId) act({ type: "transfer", to: team ? { team } : { agentId } });
  $("transfer-team").value = "";
});
$("close").addEventListener("click", () => act({ type: "close", resolution: $("resolution").value, ...($("answered-by").value && { articleId: $("answered-by").value }) }));
// Waiting times and SLA clocks move on between queue frames.
setInterval(() => client.agent && renderLists(), 1_000);

applyLanguage();
if (client.agent) showDesk();
else showSignIn();

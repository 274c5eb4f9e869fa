// The customer chat page: renders the conversation kept by ChatClient, in English or
// Simplified Chinese, usable by keyboard and on a phone; and the human side: where a request
// for a person stands, agents' messages, leaving a message, rating and feedback.
import { ChatClient } from "./chat-client.js";
import { pickLanguage, saveLanguage, STRINGS } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let lang = pickLanguage();
let t = STRINGS[lang];
let client;
const bubbles = new Map(); // seq or clientMessageId → <li>
let typingTimer;
let typingName = null; // the agent typing, or null for the assistant
let handoff = null; // the latest handoff frame
let ticketFiled = false;
let rateAsked = false;
let ratingRequested = false;

if (new URLSearchParams(location.search).has("embed")) document.body.classList.add("embedded");

function applyLanguage() {
  t = STRINGS[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t[el.dataset.i18nPlaceholder];
  $("lang").textContent = t.switchTo;
  $("lang").lang = lang === "en" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-star]")) el.textContent = t.rateStars(Number(el.dataset.star));
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t[el.dataset.t];
  setStatus($("status").dataset.state);
  renderTyping();
  if (handoff) renderHandoff(handoff);
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

function bubble(role, text, key, agentName) {
  const li = document.createElement("li");
  li.className = `msg ${role}`;
  const who = document.createElement("span");
  who.className = role === "agent" ? "who" : "who visually-hidden";
  if (role === "agent") {
    // Agents are named on their messages, apart from the bot's.
    const name = document.createElement("strong");
    name.textContent = agentName ?? t.agent;
    const team = document.createElement("span");
    team.className = "team";
    team.dataset.t = "agentRole";
    team.textContent = t.agentRole;
    who.append(name, " · ", team);
  } else who.textContent = `${role === "customer" ? t.you : t.assistant}: `;
  const body = document.createElement("p");
  body.className = "text";
  if (role === "customer") body.textContent = text;
  else body.innerHTML = markdown(text);
  li.append(who, body);
  bubbles.set(key, li);
  return li;
}

/** Helpful / not helpful on one of the bot's answers. */
function feedbackButtons(li, seq) {
  const box = document.createElement("div");
  box.className = "feedback";
  box.setAttribute("role", "group");
  const label = document.createElement("span");
  label.dataset.t = "helpful";
  label.textContent = t.helpful;
  box.setAttribute("aria-label", t.helpful);
  box.append(label);
  for (const helpful of [true, false]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link feedback-button";
    button.dataset.t = helpful ? "yes" : "no";
    button.dataset.helpful = String(helpful);
    button.textContent = helpful ? t.yes : t.no;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", async () => {
      try {
        await client.feedback(seq, helpful);
      } catch {
        return;
      }
      for (const b of box.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
      label.dataset.t = "thanksFeedback";
      label.textContent = t.thanksFeedback;
    });
    box.append(button);
  }
  li.append(box);
}

/**
 * A group of quick replies: clicking one asks that question. A suggested article's carries
 * its choice (the article and the reply that offered it): the pick teaches the KB.
 * @param {Array<{ title: string, choice?: { articleId: string, inReplyTo: number } }>} items
 * @param {string} label
 */
function quickReplies(items, label) {
  const list = document.createElement("div");
  list.className = "quick-replies";
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", label);
  for (const { title, choice } of items) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "quick-reply";
    button.textContent = title;
    button.addEventListener("click", () => sendText(title, choice));
    list.append(button);
  }
  return list;
}

/** Quick replies for suggested articles (of the reply `seq`), and the source of an answer. */
function extras(li, meta, seq) {
  const source = meta?.citations?.[0];
  if (source) {
    const cite = document.createElement("p");
    cite.className = "source";
    cite.textContent = `${t.source}: ${source.title}`;
    li.append(cite);
  }
  if (meta?.suggestions?.length) li.append(quickReplies(meta.suggestions.map((s) => ({ title: s.title, choice: { articleId: s.articleId, inReplyTo: seq } })), t.suggestions));
  // The bot offered a person: accepting asks for one (the offer's reason goes with it).
  if (meta?.decision === "offer_handoff" && meta.handoff?.reason !== "requested") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "quick-reply person";
    button.dataset.t = "talkToPerson";
    button.textContent = t.talkToPerson;
    button.addEventListener("click", () => {
      button.disabled = true;
      client.askForPerson().catch(() => (button.disabled = false));
    });
    const list = li.querySelector(".quick-replies") ?? li.appendChild(Object.assign(document.createElement("div"), { className: "quick-replies" }));
    list.append(button);
  }
}

function show(message) {
  if (bubbles.has(message.seq)) return;
  const pending = message.clientMessageId && bubbles.get(message.clientMessageId);
  const li = bubble(message.role, message.text, message.seq, message.agent?.name);
  li.dataset.seq = message.seq;
  if (message.meta?.mode === "degraded") li.classList.add("degraded");
  if (message.role === "assistant") extras(li, message.meta, message.seq);
  if (message.role === "assistant" && message.meta?.decision !== "smalltalk") feedbackButtons(li, message.seq);
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

function showTyping(agentName) {
  typingName = agentName ?? null;
  renderTyping();
  $("typing").hidden = false;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, agentName ? 5_000 : 15_000);
}

function renderTyping() {
  $("typing").textContent = typingName ? t.agentTyping(typingName) : t.typing;
}

/** Shows where a request for a person stands; offers the message form when no one can take it. */
function renderHandoff(frame) {
  handoff = frame;
  const text = [];
  if (frame.state === "queued") text.push(t.queued(frame.position ?? 1, frame.etaSeconds ? t.minutes(frame.etaSeconds) : null));
  if (frame.state === "assigned") text.push(t.assigned(frame.agent?.name));
  if (frame.state === "ended") text.push(ticketFiled ? t.left : t.handoffEnded);
  if (frame.state === "offline") {
    text.push(t.offline[frame.reason] ?? t.offline.no_agents);
    if (frame.position) text.push(t.keepPlace(frame.position));
  }
  $("handoff").hidden = false;
  $("handoff").dataset.state = frame.state;
  $("handoff-text").textContent = text.join(" ");
  $("leave").hidden = frame.state !== "offline" || ticketFiled;
  if (frame.state === "ended" && !ticketFiled) askRating();
  // A new request for a person puts an unanswered rating prompt away until it ends again.
  if (frame.state !== "ended" && $("rated").hidden) {
    $("rating").hidden = true;
    rateAsked = false;
  }
  keepLatestInView();
}

function askRating() {
  if (rateAsked) return;
  rateAsked = true;
  $("rating").hidden = false;
  keepLatestInView();
}

/** Banners and forms below the log take its room: the latest message stays in sight. */
function keepLatestInView() {
  $("log").scrollTop = $("log").scrollHeight;
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

/** @param {string} [reason] why it closed: an auto-resolved one asks for a rating only when the team wants one (a rating_request came). */
function ended(reason) {
  hideTyping();
  $("composer").hidden = true;
  $("end").hidden = true;
  $("handoff").hidden = true;
  $("ended").hidden = false;
  if (reason === "auto_resolved") {
    const note = /** @type {HTMLElement} */ ($("ended").querySelector("p"));
    note.dataset.i18n = "endedResolved";
    note.textContent = t.endedResolved;
  }
  if (reason !== "auto_resolved" || ratingRequested) askRating();
  keepLatestInView();
  $("restart").focus();
}

async function leave(event) {
  event.preventDefault();
  const email = $("leave-email").value.trim();
  const text = $("leave-text").value.trim();
  if (!email || !text) return;
  try {
    ticketFiled = true;
    await client.leaveMessage(email, text);
    $("leave").hidden = true;
    $("handoff-text").textContent = t.left;
  } catch (err) {
    ticketFiled = false;
    failed(err.code);
  }
}

async function rate(event) {
  event.preventDefault();
  const score = Number(new FormData($("rating")).get("score"));
  if (!score) return;
  try {
    await client.rate(score, $("rating-comment").value.trim() || undefined);
  } catch (err) {
    return failed(err.code);
  }
  $("rating").hidden = true;
  $("rated").hidden = false;
  keepLatestInView();
}

function submit(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  $("text").value = "";
  sendText(text);
}

/**
 * The first screen of an empty conversation: a greeting and a few popular topics from the
 * KB as quick replies, in the page's language (GET /v1/topics). Shown again in the other
 * language when it is switched before anything was asked.
 */
async function welcome() {
  const shown = $("log").querySelector("li.welcome");
  bubbles.delete("welcome");
  // Only an empty conversation opens with it.
  if (bubbles.size) return shown?.remove();
  const screen = await client.firstScreen(lang).catch(() => null);
  if (!screen) return;
  const { greeting, topics, returning } = screen;
  // Styled as the assistant's, but no message: it has no seq and is not in the transcript.
  const li = bubble("assistant", greeting, "welcome");
  li.className = "welcome";
  if (topics.length) li.append(quickReplies(topics.map((topic) => ({ title: topic.title })), t.topics));
  // A returning customer whose last conversation was left open: a word about it, and a way straight to the queue.
  if (returning) {
    const mention = document.createElement("p");
    mention.className = "returning";
    mention.textContent = returning.text;
    const person = document.createElement("button");
    person.type = "button";
    person.className = "quick-reply person";
    person.textContent = returning.quickReply.label;
    person.addEventListener("click", () => {
      person.disabled = true;
      client.askForPerson().catch(() => (person.disabled = false));
    });
    const replies = document.createElement("div");
    replies.className = "quick-replies returning-replies";
    replies.append(person);
    // First, after the (hidden) name of who speaks: then the greeting and the topics.
    li.querySelector(".text")?.before(mention, replies);
  }
  if (shown) shown.replaceWith(li);
  else $("log").prepend(li);
}

/** A customer the host site signed in (widget.js passes them in the fragment, which never reaches a server): id, signature, name. */
function signedInCustomer() {
  const params = new URLSearchParams(location.hash.slice(1));
  const id = params.get("customer");
  const signature = params.get("signature");
  return id && signature ? { id, signature, name: params.get("name") ?? undefined } : null;
}

/** @param {string} text @param {{ articleId: string, inReplyTo: number }} [choice] */
function sendText(text, choice) {
  const clientMessageId = client.send(text, choice);
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
    customer: signedInCustomer(),
    onMessage: show,
    onAck: (clientMessageId) => bubbles.get(clientMessageId)?.classList.remove("pending"),
    onTyping: showTyping,
    onDelta: delta,
    onStatus: setStatus,
    onClosed: ended,
    onError: failed,
    onHandoff: renderHandoff,
    onRatingRequest: () => (ratingRequested = true),
  });
  await client.start();
  await welcome();
}

$("composer").addEventListener("submit", submit);
$("text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
});
$("text").addEventListener("input", () => client?.typing());
$("leave").addEventListener("submit", leave);
$("rating").addEventListener("submit", rate);
// Every star up to the chosen one lights up.
$("rating").addEventListener("change", () => {
  const score = Number(new FormData($("rating")).get("score"));
  for (const label of $("rating").querySelectorAll(".stars label")) label.classList.toggle("lit", Number(label.htmlFor.slice(4)) <= score);
});
$("lang").addEventListener("click", () => {
  lang = lang === "en" ? "zh-CN" : "en";
  saveLanguage(lang);
  applyLanguage();
  void welcome();
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

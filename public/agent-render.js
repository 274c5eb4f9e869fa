// DOM builders for the agent console: queue entries, transcript rows, notes, the assistant's
// suggestions, tickets and canned options. Text goes in as text (KB answers through a
// minimal, escaping Markdown), never as HTML.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Replaces a list's items, or says there is nothing. */
export function fill(list, items, none) {
  list.replaceChildren(...(items.length ? items : [el("li", "empty", none)]));
}

/** The chat page's minimal Markdown for KB answers: everything escaped, then bold, italics and code. */
export function markdown(text) {
  const escaped = text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  return escaped
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\n]+)\*/g, "$1<em>$2</em>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>");
}

/** One queue entry: place and reason (or the customer), SLA badge, waiting time, language, region, mood. */
export function queueEntry(t, item, { current, me, customerName, elapsed, onSelect }) {
  const li = el("li", `item sla-${item.sla}`);
  const button = el("button", "item-button");
  button.type = "button";
  button.dataset.id = item.conversationId;
  if (item.conversationId === current) button.setAttribute("aria-current", "true");
  const title = item.position ? `${t.position(item.position)} ${t.reasons[item.reason] ?? item.reason}` : (customerName ?? t.reasons[item.reason] ?? t.customer);
  const top = el("span", "item-top");
  top.append(el("strong", "", title), el("span", `badge sla-${item.sla}`, t.sla[item.sla]));
  const details = [item.language.toUpperCase(), item.region, t.trend[item.trend]];
  if (item.channel === "email") details.unshift(t.channels.email);
  if (item.status === "waiting") details.unshift(t.waiting((item.waitingSeconds ?? 0) + elapsed));
  else if (item.agent && item.agent.agentId !== me) details.unshift(t.withAgent(item.agent.name));
  if (item.slaDueSeconds !== null) details.push(t.slaDue(item.slaDueSeconds - elapsed));
  button.append(top, el("span", "item-details", details.join(" · ")));
  button.addEventListener("click", onSelect);
  li.append(button);
  return li;
}

export function messageRow(t, m) {
  const li = el("li", `msg ${m.role}`);
  const who = m.role === "customer" ? t.customer : m.role === "agent" ? (m.agent?.name ?? t.agent) : t.assistant;
  const text = el("p", "text");
  if (m.role === "assistant") text.innerHTML = markdown(m.text);
  else text.textContent = m.text;
  li.append(el("span", "who", who), text);
  if (m.attachments?.length) li.append(el("p", "source", t.attachments(m.attachments.map((a) => `${a.name} (${Math.ceil(a.size / 1024)} KB)`).join(", "))));
  const sources = m.meta?.citations ?? [];
  if (sources.length) li.append(el("p", "source", `${t.sources}: ${sources.map((s) => s.title).join(", ")}`));
  if (m.meta?.suggestions?.length) li.append(el("p", "source", `${t.suggested}: ${m.meta.suggestions.map((s) => s.title).join(", ")}`));
  return li;
}

export function noteRow(t, n) {
  const li = el("li", "note");
  li.append(el("span", "who", `${t.note} · ${n.agent?.name ?? ""}`), el("p", "text", n.text));
  return li;
}

/** The assistant's suggested articles, each with a button that inserts its answer. */
export function assistItems(t, articles, onInsert) {
  return articles.map((a) => {
    const li = el("li");
    const head = el("div", "assist-head");
    head.append(el("strong", "", a.title));
    if (a.answer) {
      const insert = el("button", "link", t.insert);
      insert.type = "button";
      insert.addEventListener("click", () => onInsert(a.answer, a.articleId));
      head.append(insert);
      const answer = el("p", "answer");
      answer.innerHTML = markdown(a.answer);
      li.append(head, answer);
    } else li.append(head);
    return li;
  });
}

/** A message left for the team: when and in which language; the address and text are read from the conversation. */
export function ticketItem(t, ticket, onOpen, onDone) {
  const li = el("li", "ticket", t.ticketLine(ticket));
  for (const [label, action] of [[t.openTicket, onOpen], [t.doneTicket, onDone]]) {
    const button = el("button", "link", label);
    button.type = "button";
    button.addEventListener("click", action);
    li.append(" ", button);
  }
  return li;
}

/** Canned responses grouped by language, after a placeholder. */
export function cannedOptions(t, canned) {
  const groups = ["en", "zh-CN"].map((locale) => {
    const group = el("optgroup");
    group.label = locale === "en" ? "English" : "中文";
    group.append(...canned.filter((c) => c.locale === locale).map((c) => Object.assign(el("option", "", c.title), { value: c.id })));
    return group;
  });
  return [Object.assign(el("option", "", t.canned), { value: "" }), ...groups];
}

/** One earlier conversation of the customer: when, channel, how it ended, rating, the articles the bot gave; a button opens its transcript. */
export function historyItem(t, h, onOpen) {
  const li = el("li", `past-${h.status}`);
  const parts = [t.day(h.startedAt), t.historyChannels[h.channel] ?? h.channel, t.ended[h.status] ?? h.status];
  if (h.resolution) parts.push(t.resolutions[h.resolution] ?? h.resolution);
  if (h.handedOff) parts.push(t.handedOff);
  if (h.rating) parts.push(t.rating(h.rating));
  const line = el("span", "", parts.join(" · "));
  if (h.articles.length) line.append(el("span", "articles", ` · ${t.articles}: ${h.articles.map((a) => a.title).join(", ")}`));
  const open = el("button", "link", t.openPast);
  open.type = "button";
  open.dataset.id = h.id;
  open.addEventListener("click", onOpen);
  li.append(line, open);
  return li;
}


// The browser side of the conversation protocol: create or resume a conversation, read its
// history, and keep a WebSocket open with resume-after-seq, falling back to HTTP. Nothing a
// customer typed is lost: unacknowledged messages are re-sent with the same clientMessageId
// (the server stores each once). While a person is involved it also carries the handoff:
// asking for one, where that stands, leaving a message, rating and feedback.

import { load, remove, save } from "./storage.js";

const SUBPROTOCOL = "holdfast.v1";
const STORAGE_KEY = "holdfast.conversation";
const HEARTBEAT_MS = 20_000;
const POLL_MS = 4_000;
const TYPING_EVERY_MS = 3_000;

export class ChatClient {
  /** @param {{ locale: string, customer?: { id: string, signature: string, name?: string } | null, onMessage: Function, onTyping: Function, onDelta: Function, onStatus: Function, onClosed: Function, onError: Function, onAck: Function, onHandoff: Function, onRatingRequest: Function }} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.conversation = null;
    this.lastSeq = 0;
    /** @type {Map<string, { text: string, choice?: { articleId: string, inReplyTo: number } }>} clientMessageId → what was sent, until acknowledged */
    this.pending = new Map();
    this.ws = null;
    this.failures = 0;
    this.stopped = false;
    this.handoffState = null;
    this.typedAt = 0;
  }

  async start() {
    this.conversation = this.saved() ?? (await this.create());
    try {
      await this.catchUp();
    } catch (err) {
      if (err.code !== "conversation_not_found" && err.status !== 401 && err.status !== 403) throw err;
      // The saved conversation is gone or its token expired: start afresh.
      this.conversation = await this.create();
    }
    this.connect();
  }

  saved() {
    try {
      const c = JSON.parse(load(STORAGE_KEY) ?? "null");
      // A conversation of another signed-in customer (or of none) is not this one's.
      if (c && (c.customerId ?? null) !== (this.hooks.customer?.id ?? null)) return null;
      return c && Date.parse(c.expiresAt) > Date.now() + 60_000 ? c : null;
    } catch {
      return null;
    }
  }

  async create() {
    const who = this.hooks.customer;
    // A customer the host site signed in: their signed id makes them a verified customer.
    const identity = who ? { customer: { id: who.id, ...(who.name && { name: who.name }) }, customerSignature: who.signature } : {};
    const res = await fetch("/v1/conversations", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ locale: this.hooks.locale, ...identity }),
    });
    const body = await res.json();
    if (!res.ok) throw Object.assign(new Error(body.error?.code), { code: body.error?.code, status: res.status });
    if (who) body.customerId = who.id;
    save(STORAGE_KEY, JSON.stringify(body));
    this.lastSeq = 0;
    return body;
  }

  /** Fetches every message after the last one seen. */
  async catchUp() {
    for (let after = this.lastSeq; ; ) {
      const page = await this.api("GET", `/messages?after=${after}&limit=200`);
      page.messages.forEach((m) => this.receive(m));
      if (page.nextAfter === null) return;
      after = page.nextAfter;
    }
  }

  connect() {
    if (this.stopped) return;
    const { id, token } = this.conversation;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/v1/conversations/${id}/ws?after=${this.lastSeq}`, [SUBPROTOCOL, `holdfast.auth.${token}`]);
    this.ws = ws;
    // While in HTTP mode the page stays usable; say so until the socket is back.
    this.hooks.onStatus(this.polling ? "fallback" : this.failures ? "reconnecting" : "connecting");
    let heartbeat;
    ws.onopen = () => {
      this.failures = 0;
      this.hooks.onStatus("online");
      heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), HEARTBEAT_MS);
      for (const [clientMessageId, sent] of this.pending) ws.send(JSON.stringify({ type: "message", ...sent, clientMessageId }));
    };
    ws.onmessage = (event) => this.frame(JSON.parse(event.data));
    ws.onclose = (event) => {
      clearInterval(heartbeat);
      if (this.ws !== ws) return;
      this.ws = null;
      if (["closed_by_customer", "idle_timeout", "closed_by_agent", "auto_resolved"].includes(event.reason)) return this.hooks.onClosed(event.reason);
      this.failures++;
      // After repeated failures, keep the conversation going over HTTP while retrying.
      if (this.failures >= 2) this.fallback();
      const delay = Math.min(15_000, 500 * 2 ** this.failures) * (0.75 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  /** HTTP mode while the WebSocket is down: flush pending sends, poll for new messages. */
  fallback() {
    if (this.polling) return;
    this.hooks.onStatus("fallback");
    this.polling = setInterval(async () => {
      if (this.ws?.readyState === WebSocket.OPEN) {
        clearInterval(this.polling);
        this.polling = null;
        return;
      }
      for (const [clientMessageId, sent] of this.pending) await this.sendHttp(clientMessageId, sent).catch(() => {});
      await this.catchUp().catch(() => {});
    }, POLL_MS);
  }

  frame(f) {
    if (f.type === "message") this.receive(f.message);
    else if (f.type === "ack") this.acked(f.clientMessageId, f.seq);
    else if (f.type === "typing") this.hooks.onTyping(f.agent?.name);
    else if (f.type === "handoff") this.handoff(f);
    // The connect replayed one page; the rest of what was missed is read over HTTP.
    else if (f.type === "more") this.catchUp().catch(() => {});
    else if (f.type === "delta") this.hooks.onDelta(f.replyTo, f.text);
    else if (f.type === "rating_request") this.hooks.onRatingRequest();
    else if (f.type === "closed") this.hooks.onClosed(f.reason);
    else if (f.type === "error") {
      if (f.clientMessageId) this.pending.delete(f.clientMessageId);
      this.hooks.onError(f.code, f.clientMessageId);
    }
  }

  handoff(frame) {
    this.handoffState = frame.state;
    this.hooks.onHandoff(frame);
  }

  receive(message) {
    if (message.seq <= this.lastSeq) return;
    this.lastSeq = message.seq;
    if (message.clientMessageId) this.acked(message.clientMessageId, message.seq);
    this.hooks.onMessage(message);
  }

  acked(clientMessageId, seq) {
    if (this.pending.delete(clientMessageId)) this.hooks.onAck(clientMessageId, seq);
  }

  /** Sends a message; returns its clientMessageId. */
  /**
   * Sends a message; `choice` when it picks a suggested article (a quick reply): the article
   * and the seq of the reply that offered it.
   * @param {string} text
   * @param {{ articleId: string, inReplyTo: number }} [choice]
   */
  send(text, choice) {
    const clientMessageId = newId();
    const sent = choice ? { text, choice } : { text };
    this.pending.set(clientMessageId, sent);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "message", ...sent, clientMessageId }));
    else this.sendHttp(clientMessageId, sent).catch(() => {});
    return clientMessageId;
  }

  /** @param {string} clientMessageId @param {{ text: string, choice?: { articleId: string, inReplyTo: number } }} sent */
  async sendHttp(clientMessageId, sent) {
    try {
      const turn = await this.api("POST", "/messages", { ...sent, clientMessageId });
      this.receive(turn.message);
      if (turn.reply) this.receive(turn.reply);
      if (turn.handoff) this.handoff(turn.handoff);
    } catch (err) {
      if (err.status && err.status < 500 && err.status !== 429) {
        this.pending.delete(clientMessageId);
        this.hooks.onError(err.code, clientMessageId);
      }
      throw err;
    }
  }

  /** Asks for a person (an accepted offer keeps the offer's reason). */
  async askForPerson() {
    if (this.ws?.readyState === WebSocket.OPEN) return this.ws.send('{"type":"handoff"}');
    this.handoff(await this.api("POST", "/handoff", {}));
  }

  /** Tells the agent who has the conversation that the customer is typing (at most every few seconds). */
  typing() {
    if (this.handoffState !== "assigned" || this.ws?.readyState !== WebSocket.OPEN || Date.now() - this.typedAt < TYPING_EVERY_MS) return;
    this.typedAt = Date.now();
    this.ws.send('{"type":"typing"}');
  }

  /** Leaves a message for the team (an offline ticket); resolves with the stored message. */
  async leaveMessage(email, text) {
    const clientMessageId = newId();
    const result = await this.api("POST", "/offline-message", { email, text, clientMessageId });
    this.receive(result.message);
    this.handoff(result.handoff);
    return result;
  }

  rate(score, comment) {
    return this.api("POST", "/rating", comment ? { score, comment } : { score });
  }

  feedback(seq, helpful) {
    return this.api("POST", `/messages/${seq}/feedback`, { helpful });
  }

  async end() {
    this.stopped = true;
    await this.api("DELETE", "").catch(() => {});
    remove(STORAGE_KEY);
  }

  forget() {
    remove(STORAGE_KEY);
  }

  /** The first screen for this conversation: greeting, topics, and the mention of a returning customer's last conversation. */
  async firstScreen(locale) {
    const { id, token } = this.conversation;
    const res = await fetch(`/v1/topics?locale=${encodeURIComponent(locale)}&conversation=${id}`, { headers: { Authorization: `Bearer ${token}` } });
    return res.ok ? res.json() : null;
  }

  async api(method, path, body) {
    const { id, token } = this.conversation;
    const res = await fetch(`/v1/conversations/${id}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body && { "Content-Type": "application/json" }) },
      body: body && JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(json.error?.code), { code: json.error?.code, status: res.status });
    return json;
  }
}

function newId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2, 12)}`;
}

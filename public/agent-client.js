// The browser side of the desk protocol: sign in with an operator key, keep the desk's
// WebSocket open (reconnecting with backoff), read conversations over HTTP, and send the
// agent's messages and notes until they are acknowledged (re-sent with the same
// clientMessageId after a reconnect; the server stores each once).

const SUBPROTOCOL = "holdfast.agent.v1";
const SESSION_KEY = "holdfast.agent.session";
const HEARTBEAT_MS = 20_000;

/** The session lives in this tab only: closing it signs the agent out. */
const session = {
  load() {
    try {
      const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
      return s && Date.parse(s.expiresAt) > Date.now() + 60_000 ? s : null;
    } catch {
      return null;
    }
  },
  save(s) {
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    } catch {
      // Denied: the session lasts as long as the page.
    }
  },
  clear() {
    try {
      sessionStorage.removeItem(SESSION_KEY);
    } catch {
      // Nothing stored.
    }
  },
};

export class DeskClient {
  /** @param {{ onFrame: Function, onStatus: Function, onSignedOut: Function }} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.session = session.load();
    this.ws = null;
    this.failures = 0;
    this.pending = new Map(); // clientMessageId → frame, until acknowledged
    this.stopped = false;
  }

  get agent() {
    return this.session?.agent ?? null;
  }

  async signIn(key) {
    const res = await fetch("/v1/agent/session", { method: "POST", headers: { Authorization: `Bearer ${key}` } });
    const body = await res.json();
    if (!res.ok) throw Object.assign(new Error(body.error?.code), { code: body.error?.code, status: res.status });
    this.session = body;
    session.save(body);
    return body;
  }

  signOut() {
    this.stopped = true;
    session.clear();
    this.session = null;
    this.ws?.close(1000, "signed out");
  }

  connect() {
    if (this.stopped || !this.session) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/v1/agent/ws`, [SUBPROTOCOL, `holdfast.auth.${this.session.token}`]);
    this.ws = ws;
    this.hooks.onStatus(this.failures ? "reconnecting" : "connecting");
    let heartbeat;
    ws.onopen = () => {
      this.failures = 0;
      this.hooks.onStatus("connected");
      heartbeat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), HEARTBEAT_MS);
      for (const frame of this.pending.values()) ws.send(JSON.stringify(frame));
    };
    ws.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "pong") return;
      if (frame.type === "ack" || (frame.type === "error" && frame.clientMessageId)) this.pending.delete(frame.clientMessageId);
      this.hooks.onFrame(frame);
    };
    ws.onclose = () => {
      clearInterval(heartbeat);
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      this.failures++;
      // A session that no longer works shows up as refused upgrades: check it over HTTP.
      if (this.failures >= 3) this.checkSession();
      const delay = Math.min(15_000, 500 * 2 ** this.failures) * (0.75 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  async checkSession() {
    try {
      await this.api("GET", "/queue");
    } catch (err) {
      if (err.status === 401) {
        this.signOut();
        this.hooks.onSignedOut(err.code);
      }
    }
  }

  /** Sends a frame; messages and notes carry a clientMessageId and are kept until acknowledged. */
  send(frame) {
    if (frame.clientMessageId) this.pending.set(frame.clientMessageId, frame);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Every page of a conversation as agents see it (the read is audited by the server). */
  /** Reads a conversation in pages; `via`: the current conversation, whose customer's history lists this one. */
  async read(conversationId, via) {
    let view = null;
    for (let after = 0; ; ) {
      const page = await this.api("GET", `/conversations/${conversationId}?after=${after}&limit=200${via ? `&via=${via}` : ""}`);
      if (!view) view = page;
      else view.messages.push(...page.messages), (view.assist = page.assist);
      if (page.nextAfter === null) return view;
      after = page.nextAfter;
    }
  }

  async api(method, path, body) {
    const res = await fetch(`/v1/agent${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.session?.token ?? ""}`, ...(body && { "Content-Type": "application/json" }) },
      body: body && JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(json.error?.code), { code: json.error?.code, status: res.status });
    return json;
  }
}

/**
 * What the console keeps of a conversation when a read lands (`old`: what it held). A read
 * may have left the server before frames the desk relayed meanwhile: their messages are kept,
 * and so are suggestions for a later customer message than the read's.
 */
export function landRead(view, old) {
  const messages = new Map(view.messages.map((m) => [m.seq, m]));
  for (const [seq, m] of old?.messages ?? []) if (!messages.has(seq)) messages.set(seq, m);
  const assist = old?.assist && (!view.assist || old.assist.seq > view.assist.seq) ? old.assist : view.assist;
  return { view, messages, notes: view.notes, assist };
}

export function newId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Canned response placeholders, as the server renders them: `{{ path }}` or `{{ path | default }}`, data only. */
export function renderTemplate(template, vars) {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(?:\|([^{}]*))?\}\}/g, (_m, path, own) => {
    let node = vars;
    for (const key of path.split(".")) node = node && typeof node === "object" && Object.hasOwn(node, key) ? node[key] : undefined;
    if ((typeof node === "string" && node) || typeof node === "number") return String(node);
    return own === undefined ? "" : own.trim();
  });
}

// Delivering alert notices to ALERT_WEBHOOK_URL: the JSON body, its HMAC-SHA256 signature
// (`X-Holdfast-Signature: sha256=<hex of HMAC(secret, body)>`), the retry backoff, and a
// bounded outbox the DO persists and drains on its alarm. The sending itself is the DO's.
import { describeNotice, type Notice } from "./alerts.ts";

export const SIGNATURE_HEADER = "X-Holdfast-Signature";

const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** The X-Holdfast-Signature value for a body: `sha256=` and the hex HMAC-SHA256 of its UTF-8 bytes. */
export async function signPayload(secret: string, body: string): Promise<string> {
  return `sha256=${hex(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(body)))}`;
}

/** Whether a signature header matches the body (constant-time, via WebCrypto's verify). */
export async function verifySignature(secret: string, body: string, header: string | null): Promise<boolean> {
  const m = /^sha256=([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) return false;
  const mac = new Uint8Array(m[1]!.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(body));
}

/** What the webhook receives. `id` is the same on every retry of a notice, for de-duplication. */
export interface WebhookPayload {
  source: "holdfast";
  id: string;
  kind: Notice["kind"];
  at: string;
  summary: string;
  alert: Notice["alert"];
}

export function noticeId(n: Notice): string {
  return `${n.alert.id}:${n.kind}:${n.at}`;
}

export function webhookBody(n: Notice): string {
  const payload: WebhookPayload = { source: "holdfast", id: noticeId(n), kind: n.kind, at: new Date(n.at).toISOString(), summary: describeNotice(n), alert: n.alert };
  return JSON.stringify(payload);
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

/** 5 s, 10 s, 20 s … capped at 10 minutes; 8 attempts (about 25 minutes) in all. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 10 * 60_000, maxAttempts: 8 };

/** The delay before the next attempt after `attempt` failed attempts (1-based), or null: give up. */
export function retrySchedule(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number | null {
  if (attempt >= policy.maxAttempts) return null;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

export interface OutboxEntry {
  id: string;
  body: string;
  attempts: number;
  nextAt: number;
  createdAt: number;
}

/** Notices waiting to be delivered; at most `max` (the oldest are dropped first). Persist with toJSON. */
export class Outbox {
  private entries: OutboxEntry[];
  private readonly policy: RetryPolicy;
  private readonly max: number;

  constructor(entries: OutboxEntry[] = [], policy: RetryPolicy = DEFAULT_RETRY, max = 200) {
    this.entries = entries.slice(-max).map((e) => ({ ...e }));
    this.policy = policy;
    this.max = max;
  }

  /** Queues a notice for delivery now; the same notice twice is queued once. */
  enqueue(n: Notice, now: number): OutboxEntry {
    return this.enqueueBody(noticeId(n), webhookBody(n), now);
  }

  /** Queues any body under its de-duplication id (a release's change of state, for one). */
  enqueueBody(id: string, body: string, now: number): OutboxEntry {
    const existing = this.entries.find((e) => e.id === id);
    if (existing) return existing;
    const entry: OutboxEntry = { id, body, attempts: 0, nextAt: now, createdAt: now };
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  /** Entries to send at `now`, oldest first. */
  due(now: number): OutboxEntry[] {
    return this.entries.filter((e) => e.nextAt <= now);
  }

  /** The webhook accepted it (2xx). */
  delivered(id: string): void {
    this.entries = this.entries.filter((e) => e.id !== id);
  }

  /** An attempt failed (network error, non-2xx): schedule a retry, or drop it after the last attempt. */
  failed(id: string, now: number): "retry" | "dropped" | "unknown" {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) return "unknown";
    entry.attempts++;
    const delay = retrySchedule(entry.attempts, this.policy);
    if (delay === null) {
      this.delivered(id);
      return "dropped";
    }
    entry.nextAt = now + delay;
    return "retry";
  }

  /** When the next entry is due (to set the DO's alarm), or null when empty. */
  nextDueAt(): number | null {
    return this.entries.length ? Math.min(...this.entries.map((e) => e.nextAt)) : null;
  }

  get size(): number {
    return this.entries.length;
  }

  toJSON(): OutboxEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
}

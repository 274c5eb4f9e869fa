// Signed POSTs: alert notices to ALERT_WEBHOOK_URL, and the teams' integration webhooks
// (src/webhooks/), one per notice or event (src/ops/alert-delivery.ts makes the signature
// scheme). A delivery is an attempt: any answer but 2xx, a network error or a timeout is a
// failure for the outbox to retry.
import type { Config } from "../config.ts";
import { SIGNATURE_HEADER, signPayload, type OutboxEntry } from "../ops/alert-delivery.ts";

/** Shortest ALERT_WEBHOOK_SECRET accepted: notices are never sent unsigned. */
const MIN_SECRET = 16;
const TIMEOUT_MS = 5_000;

export interface WebhookTarget {
  url: string;
  secret: string;
}

/** Where notices go, or null when no webhook is configured (or it is unusable: not https, no secret). */
export function webhookTarget(config: Config): WebhookTarget | null {
  const { webhookUrl, webhookSecret } = config.ops;
  if (!webhookUrl || webhookSecret.length < MIN_SECRET) return null;
  try {
    const url = new URL(webhookUrl);
    // Plain http only in development (a local receiver); production notices go over TLS.
    if (url.protocol !== "https:" && !(config.devMode && url.protocol === "http:")) return null;
    return { url: url.toString(), secret: webhookSecret };
  } catch {
    return null;
  }
}

/** POSTs one notice; true when the receiver accepted it (2xx). Never throws. */
export function postAlert(target: WebhookTarget, entry: OutboxEntry): Promise<boolean> {
  return postSigned(target, entry.body, { "X-Holdfast-Delivery": entry.id, "User-Agent": "holdfast-alerts/1" });
}

/**
 * POSTs a JSON body signed with the target's secret (X-Holdfast-Signature), with the headers
 * given (the delivery id, the user agent); true when the receiver accepted it (2xx). A
 * redirect is not followed (it is a failure): a signed body goes only where it was meant to.
 * Never throws.
 */
export async function postSigned(target: WebhookTarget, body: string, headers: Record<string, string>): Promise<boolean> {
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: await signPayload(target.secret, body), ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => {});
    return res.ok;
  } catch {
    return false;
  }
}

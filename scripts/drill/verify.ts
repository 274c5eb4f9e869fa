// After a drill: every acknowledged message must be in its conversation exactly once, in
// the order it was sent, with a reply.
import type { DrillClient } from "./clients.ts";

export interface DrillCounts {
  sent: number;
  /** Messages that had to be sent again because of the crash. */
  retried: number;
  acknowledged: number;
  stored: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unanswered: number;
}

/** A stored message as the drill checks it. */
export interface Stored {
  seq: number;
  role: string;
  text: string;
  clientMessageId?: string;
  replyTo?: number;
}

/** A conversation's whole transcript, read page by page as a customer would. */
export async function transcriptOf(base: string, client: DrillClient): Promise<Stored[]> {
  const out: Stored[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${base}/v1/conversations/${client.conversation.id}/messages?after=${after}&limit=200`, { headers: { Authorization: `Bearer ${client.conversation.token}` } });
    if (res.status !== 200) throw new Error(`reading a transcript failed: ${res.status}`);
    const page = (await res.json()) as { messages: Stored[]; nextAfter: number | null };
    out.push(...page.messages);
    if (page.nextAfter === null) return out;
    after = page.nextAfter;
  }
}

/**
 * Counts what the server kept of what it acknowledged; waits up to `patienceMs` for replies
 * still being made. With `replies: false` (an agent has the conversation, the bot is silent)
 * unanswered messages are expected and not counted.
 */
export async function verify(base: string, clients: DrillClient[], patienceMs = 20_000, replies = true): Promise<DrillCounts> {
  const counts: DrillCounts = { sent: 0, retried: 0, acknowledged: 0, stored: 0, lost: 0, duplicated: 0, outOfOrder: 0, unanswered: 0 };
  const deadline = Date.now() + patienceMs;
  for (const client of clients) {
    let messages = await transcriptOf(base, client);
    const acked = client.sent.filter((m) => m.seq !== null);
    // A message stored just before a crash is answered when its conversation starts again.
    const answered = (list: Stored[]) => new Set(list.filter((m) => m.role === "assistant").map((m) => m.replyTo));
    while (replies && acked.some((m) => !answered(messages).has(m.seq!)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      messages = await transcriptOf(base, client);
    }
    const answeredSeqs = answered(messages);
    const customer = messages.filter((m) => m.role === "customer");
    counts.sent += client.sent.length;
    counts.retried += client.sent.filter((m) => m.retries > 0).length;
    counts.acknowledged += acked.length;
    counts.stored += customer.length;
    let previous = 0;
    for (const m of acked) {
      const copies = customer.filter((c) => c.clientMessageId === m.clientMessageId);
      if (copies.length === 0) counts.lost++;
      if (copies.length > 1) counts.duplicated += copies.length - 1;
      const copy = copies[0];
      if (!copy) continue;
      if (copy.seq !== m.seq || copy.seq <= previous) counts.outOfOrder++;
      previous = copy.seq;
      if (replies && !answeredSeqs.has(copy.seq)) counts.unanswered++;
    }
  }
  return counts;
}

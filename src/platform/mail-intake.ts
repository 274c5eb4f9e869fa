// The Worker's email() handler: wires the intake steps (src/email/intake.ts) to the limiter,
// the thread map and the conversations, refuses what must be refused, and logs what became
// of each mail by code only (never an address, a subject or text).
import { readConfig, requireClientKeySecret, requireSecret } from "../config.ts";
import { keyedDigest } from "../edge/client-key.ts";
import { takeMail, REJECT_TEXT, type IntakePorts } from "../email/intake.ts";
import { checkReplyToken, idDigest } from "../email/thread-keys.ts";
import { fail } from "../errors.ts";
import { limitHit } from "./limiter.ts";
import { claimThread, findThreads } from "./mail.ts";
import { conversationStub, createConversationAddress, findConversation } from "./conversations.ts";

export async function receiveMail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const config = readConfig(env);
  const secret = requireSecret(config);
  const email = config.email;
  const ports: IntakePorts = {
    async admit(kind, value) {
      const key = `mail-${kind}:${await keyedDigest(requireClientKeySecret(config), "credential", `mail:${value}`)}`;
      const policy = kind === "sender" ? config.limits.emailSender : config.limits.emailDomain;
      return (await limitHit(env, config, email.region, key, policy)).allowed;
    },
    digest: (id) => idDigest(secret, id),
    async contentDigest(raw) {
      return [...new Uint8Array(await crypto.subtle.digest("SHA-256", raw))].map((b) => b.toString(16).padStart(2, "0")).join("");
    },
    find: (keys) => findThreads(env, keys),
    claim: (key, conversationId) => claimThread(env, key, conversationId),
    tokenOf: (conversationId, token) => checkReplyToken(secret, conversationId, token),
    newConversationId: () => createConversationAddress(env, email.jurisdiction, config.jurisdictions).id,
    async deliver(conversationId, delivery) {
      const address = findConversation(env, conversationId, config.jurisdictions);
      if (!address) return fail("conversation_not_found");
      const outcome = await conversationStub(env, address, email.region).receiveMail(delivery);
      return outcome.ok ? { ok: true, value: { seq: outcome.value.seq, duplicate: outcome.value.duplicate } } : outcome;
    },
  };
  const result = await takeMail({ from: message.from, to: message.to, rawSize: message.rawSize, headers: message.headers, raw: () => new Response(message.raw).arrayBuffer() }, email, ports);
  const logged = result.kind === "delivered" ? { outcome: "delivered", thread: result.thread, duplicate: result.duplicate } : { outcome: result.kind, reason: result.reason };
  console.log(JSON.stringify({ level: "info", code: "mail_received", ...logged }));
  if (result.kind === "rejected") message.setReject(REJECT_TEXT[result.reason]);
}

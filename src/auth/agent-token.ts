// Agent session tokens: `ag1.<claims>.<signature>`, HMAC-SHA256 under TOKEN_SECRET over
// `agent.<claims>`, where the claims (base64url JSON) name the operator, their display
// name, role and team, and the expiry. Conversation tokens sign `<conversation id>.<expiry>`
// and ids never start with `agent.`, so neither kind of token ever verifies as the other.
import { AppError } from "../errors.ts";
import type { OperatorRole } from "./roles.ts";
import { base64url, fromBase64url, importKey } from "./token.ts";

const PREFIX = "ag1";
const SUBJECT = "agent";
const encoder = new TextEncoder();

/** Who an agent session belongs to. `team` is the desk the agent works at. */
export interface AgentClaims {
  /** The operator id. */
  id: string;
  name: string;
  role: Extract<OperatorRole, "agent" | "admin">;
  team: string;
  /** Unix seconds. */
  exp: number;
}

/** The agent behind a request or a socket: the claims without their expiry. */
export type AgentIdentity = Omit<AgentClaims, "exp">;

export type AgentTokenCheck = { ok: true; claims: AgentClaims } | { ok: false; code: "token_invalid" | "token_expired" };

/** Signs a session for an operator; valid until `claims.exp`. */
export async function signAgentToken(secret: string, claims: AgentClaims): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(claims)));
  const sig = await crypto.subtle.sign("HMAC", await importKey(secret), encoder.encode(`${SUBJECT}.${body}`));
  return `${PREFIX}.${body}.${base64url(sig)}`;
}

/** Checks a session token: malformed or signed otherwise is `token_invalid`; past its expiry, `token_expired`. */
export async function checkAgentToken(secret: string, token: string, nowSeconds: number): Promise<AgentTokenCheck> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, code: "token_invalid" };
  const sig = fromBase64url(parts[2]!);
  const body = fromBase64url(parts[1]!);
  if (!sig || sig.byteLength !== 32 || !body) return { ok: false, code: "token_invalid" };
  const valid = await crypto.subtle.verify("HMAC", await importKey(secret), sig, encoder.encode(`${SUBJECT}.${parts[1]}`));
  if (!valid) return { ok: false, code: "token_invalid" };
  const claims = parseClaims(body);
  if (!claims) return { ok: false, code: "token_invalid" };
  return claims.exp <= nowSeconds ? { ok: false, code: "token_expired" } : { ok: true, claims };
}

/** The claims of a valid session, or the AppError the caller should see. */
export async function requireAgentToken(secret: string, token: string | undefined, nowSeconds: number): Promise<AgentClaims> {
  if (!token) throw new AppError("unauthorized");
  const check = await checkAgentToken(secret, token, nowSeconds);
  if (!check.ok) throw new AppError(check.code);
  return check.claims;
}

function parseClaims(bytes: Uint8Array): AgentClaims | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const c = value as Record<string, unknown>;
  const text = (v: unknown): v is string => typeof v === "string" && v.length > 0;
  if (!text(c.id) || !text(c.name) || !text(c.team) || (c.role !== "agent" && c.role !== "admin") || typeof c.exp !== "number" || !Number.isInteger(c.exp)) return null;
  return { id: c.id, name: c.name, role: c.role, team: c.team, exp: c.exp };
}

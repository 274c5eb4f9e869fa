// Typed configuration read from the Worker's environment, with defaults and validation in
// one place so that routes and Durable Objects never parse raw strings themselves.
import { readDeskConfig, type DeskConfigRead } from "./desk/config.ts";
import { parsePolicy, type RatePolicy } from "./edge/gcra.ts";
import { isRegion, type Region } from "./edge/regions.ts";
import { AppError } from "./errors.ts";
import { DEFAULT_LEARN_SETTINGS, LEARN_MODES, type LearnMode, type LearnSettings } from "./kb/learning/learned.ts";
import { parseKeyring, type Keyring } from "./privacy/envelope.ts";

/** An optional model endpoint (embeddings, reranker): a provider, off unless "openai" or "workers-ai", and how it is reached. */
export interface ModelEndpoint {
  provider: "off" | "openai" | "workers-ai";
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface Config {
  tokenSecret: string;
  tokenTtlSeconds: number;
  idleSeconds: number;
  /** AUTO_RESOLVE_MINUTES in ms: the bot's last answer left standing this long closes the conversation as resolved (assumed); null when off (0 or "off"). */
  autoResolveMs: number | null;
  /** CSAT_ON_RESOLVE: whether an auto-resolved conversation of this team asks for a rating ("on", "off", or the teams that want one). */
  csatOnResolve: (team: string) => boolean;
  allowedOrigins: string[];
  maxBodyBytes: number;
  adminApiKey: string;
  /** Keys the hashes of client addresses and credentials in limiter keys (CLIENT_KEY_SECRET); "" when unset. */
  clientKeySecret: string;
  /** Master keys for encryption at rest (DATA_ENCRYPTION_KEY); null when missing or malformed. */
  dataKeyring: Keyring | null;
  /** Verifies the host site's customer signatures (CUSTOMER_SIGNING_SECRET); "" when unset. */
  customerSigningSecret: string;
  /** Customer WebSockets one conversation may have open at once (tabs, devices). */
  maxSocketsPerConversation: number;
  /** Closed conversations are erased this many days after closing. */
  retentionDays: number;
  /** Backups of the KB primary the scheduled job keeps (BACKUP_KEEP). */
  backupKeep: number;
  primary: { url: string; authToken?: string; timeoutMs: number; breaker: { failures: number; coolDownMs: number } };
  kbSyncIntervalSeconds: number;
  /** ANSWER_MAX_WRONG: the share of in-scope questions the fitted thresholds may answer wrongly. */
  answerMaxWrong: number;
  /** Replica shards per region (REPLICA_SHARDS: `2`, or `weur=4,wnam=2,*=1`). */
  replicaShards: (region: Region) => number;
  /** How long a quick answer may take and still be stored with its message in one commit. */
  ackGraceMs: number;
  /** Development switches are on: never in a production configuration. */
  devMode: boolean;
  /** The region used when a request's location does not name one. */
  defaultRegion: Region;
  /** Create EU conversations in the `eu` jurisdiction (off only where the runtime lacks jurisdictions: local workerd). */
  jurisdictions: boolean;
  limits: {
    ip: RatePolicy;
    /** Conversations one client IP may start (many customers can share one address: CGNAT). */
    conversationsPerIp: RatePolicy;
    conversation: RatePolicy;
    /** Mail accepted per sender address and per sender domain. */
    emailSender: RatePolicy;
    emailDomain: RatePolicy;
    /** Each other kind of customer frame (handoff, rating, typing, offline_message, feedback) per conversation, WebSocket and HTTP alike. */
    conversationFrames: RatePolicy;
    /** Per credential presented, and per client IP, on the admin API. */
    admin: RatePolicy;
    adminIp: RatePolicy;
    llmBudget: RatePolicy;
    /** One conversation's share of the region's LLM budget. */
    llmBudgetPerConversation: RatePolicy;
    shards: number;
    /** A limiter call slower than this is decided by the isolate's own buckets (the LLM budget: spent). */
    timeoutMs: number;
  };
  /** How long /readyz reuses its probes of the primary and the replica. */
  readyzCacheMs: number;
  /** A turn's deadline, and the breakers' trip count and cool-down. */
  resilience: { deadlineMs: number; breakerFailures: number; breakerCoolDownMs: number };
  /** Faults to switch on at start (dev only): HOLDFAST_FAULTS, e.g. "replica-down,latency=500". */
  faultsAtStart: string;
  /** Optional grounded generation; off unless a provider is configured. */
  llm: { provider: "none" | "openai" | "workers-ai"; baseUrl: string; model: string; apiKey?: string; maxTokens: number; timeoutMs: number };
  /** Optional semantic signals (src/kb/semantic); off unless a provider is configured. EMBEDDINGS_TIMEOUT_MS bounds a question's embedding. */
  embeddings: ModelEndpoint;
  /** Optional reranking of the classifier's best articles (src/kb/semantic/reranker.ts); off unless a provider is configured. RERANKER_TIMEOUT_MS bounds a question's call. */
  reranker: ModelEndpoint;
  /** The human desk: every team's queue settings, the team of conversations that name none, agent sessions. */
  desk: {
    /** From BUSINESS_HOURS, HANDOFF_MAX_WAIT_SECONDS, AGENT_REPLY_TIMEOUT_SECONDS, SLA_*, MAX_OPEN_TICKETS, MAX_QUEUE_LENGTH; malformed business hours are an issue, not a guess. */
    config: DeskConfigRead;
    defaultTeam: string;
    agentTokenTtlSeconds: number;
    /** An agent whose last console closed keeps their conversations this long (a reload, a crash), then loses them to the queue. */
    reconnectGraceMs: number;
  };
  /** Learning from confirmations (src/kb/learning): LEARN_MODE, LEARN_MIN_CONFIRMATIONS, LEARN_MAX_PER_CLIENT_PER_DAY. */
  learn: LearnSettings;
  /** The email channel (README: Email). */
  email: EmailConfig;
  /** KB_RELEASES: KB writes and answer-settings changes wait for a release (on unless "off"). */
  releases: boolean;
  /** Ops events, alerts and their webhook (docs/ops.md). */
  ops: {
    /** OPS_EVENTS: emit events (on unless "off"). */
    events: boolean;
    /** RESOLUTION_WINDOW_SECONDS in ms: no further request within it after an answer counts as resolved. */
    resolutionWindowMs: number;
    webhookUrl: string;
    webhookSecret: string;
    /** ALERT_RULES: overrides of the built-in rules, JSON (parsed by src/ops/alert-rules.ts). */
    alertRules: string;
    /** AUTO_REMEDIATION, per region: the safe automatic actions are done, only decided and audited (dry-run), or off. */
    autoRemediation: (region: Region) => RemediationMode;
    /** RUNBOOK_BASE_URL: prefixed to a runbook's repository path for a link ("" when unset). */
    runbookBaseUrl: string;
  };
}

/** The variables configuration is read from: the Worker's environment (strings). */
export type ConfigVars = { [K in keyof Env]?: Env[K] extends string ? string : unknown };

const cached = new WeakMap<object, Config>();

/**
 * Reads the configuration, falling back to defaults for values that are absent or invalid.
 * The result is kept per environment object: the Worker reads it on every request.
 */
export function readConfig(env: ConfigVars): Config {
  let config = cached.get(env);
  if (!config) cached.set(env, (config = parseConfig(env)));
  return config;
}

function parseConfig(env: ConfigVars): Config {
  return {
    tokenSecret: env.TOKEN_SECRET ?? "",
    tokenTtlSeconds: positiveInt(env.TOKEN_TTL_SECONDS, 86_400),
    idleSeconds: positiveInt(env.CONVERSATION_IDLE_SECONDS, 1_800),
    autoResolveMs: env.AUTO_RESOLVE_MINUTES?.trim() === "0" || env.AUTO_RESOLVE_MINUTES?.trim() === "off" ? null : positiveInt(env.AUTO_RESOLVE_MINUTES, 15) * 60_000,
    csatOnResolve: teamSwitch(env.CSAT_ON_RESOLVE, true),
    allowedOrigins: listOf(env.ALLOWED_ORIGINS),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, 65_536),
    adminApiKey: env.ADMIN_API_KEY ?? "",
    clientKeySecret: env.CLIENT_KEY_SECRET ?? "",
    dataKeyring: parseKeyring(env.DATA_ENCRYPTION_KEY),
    customerSigningSecret: env.CUSTOMER_SIGNING_SECRET ?? "",
    retentionDays: positiveInt(env.RETENTION_DAYS, 90),
    backupKeep: positiveInt(env.BACKUP_KEEP, 30),
    maxSocketsPerConversation: positiveInt(env.MAX_SOCKETS_PER_CONVERSATION, 5),
    primary: {
      url: env.LIBSQL_URL ?? "",
      authToken: env.LIBSQL_AUTH_TOKEN,
      timeoutMs: positiveInt(env.LIBSQL_TIMEOUT_MS, 5_000),
      breaker: { failures: positiveInt(env.BREAKER_FAILURES, 3), coolDownMs: positiveInt(env.BREAKER_COOLDOWN_MS, 10_000) },
    },
    kbSyncIntervalSeconds: positiveInt(env.KB_SYNC_INTERVAL_SECONDS, 30),
    answerMaxWrong: share(env.ANSWER_MAX_WRONG, 0.03),
    replicaShards: perRegion(env.REPLICA_SHARDS, 1, 64),
    ackGraceMs: positiveInt(env.ACK_GRACE_MS, 30),
    devMode: env.HOLDFAST_DEV === "1",
    defaultRegion: isRegion(env.DEFAULT_REGION ?? "") ? (env.DEFAULT_REGION as Region) : "weur",
    jurisdictions: env.JURISDICTIONS !== "off",
    limits: {
      ip: parsePolicy(env.RATE_LIMIT_IP, { limit: 120, periodMs: 60_000 }),
      conversationsPerIp: parsePolicy(env.RATE_LIMIT_CONVERSATIONS_PER_IP, { limit: 300, periodMs: 3_600_000 }),
      conversation: parsePolicy(env.RATE_LIMIT_CONVERSATION, { limit: 30, periodMs: 60_000 }),
      conversationFrames: parsePolicy(env.RATE_LIMIT_CONVERSATION_FRAMES, { limit: 20, periodMs: 60_000 }),
      emailSender: parsePolicy(env.RATE_LIMIT_EMAIL_SENDER, { limit: 20, periodMs: 3_600_000 }),
      emailDomain: parsePolicy(env.RATE_LIMIT_EMAIL_DOMAIN, { limit: 300, periodMs: 3_600_000 }),
      admin: parsePolicy(env.RATE_LIMIT_ADMIN, { limit: 600, periodMs: 60_000 }),
      adminIp: parsePolicy(env.RATE_LIMIT_ADMIN_IP, { limit: 1_200, periodMs: 60_000 }),
      llmBudget: parsePolicy(env.LLM_BUDGET, { limit: 60, periodMs: 60_000 }),
      llmBudgetPerConversation: parsePolicy(env.LLM_BUDGET_PER_CONVERSATION, { limit: 10, periodMs: 60_000 }),
      shards: positiveInt(env.RATE_LIMIT_SHARDS, 4),
      timeoutMs: positiveInt(env.RATE_LIMIT_TIMEOUT_MS, 250),
    },
    readyzCacheMs: positiveInt(env.READYZ_CACHE_MS, 5_000),
    resilience: {
      deadlineMs: positiveInt(env.TURN_DEADLINE_MS, 2_000),
      breakerFailures: positiveInt(env.BREAKER_FAILURES, 3),
      breakerCoolDownMs: positiveInt(env.BREAKER_COOLDOWN_MS, 10_000),
    },
    faultsAtStart: env.HOLDFAST_FAULTS ?? "",
    llm: {
      provider: env.LLM_PROVIDER === "openai" || env.LLM_PROVIDER === "workers-ai" ? env.LLM_PROVIDER : "none",
      baseUrl: env.LLM_BASE_URL ?? "",
      model: env.LLM_MODEL ?? "",
      apiKey: env.LLM_API_KEY || undefined,
      maxTokens: positiveInt(env.LLM_MAX_TOKENS, 300),
      timeoutMs: positiveInt(env.LLM_TIMEOUT_MS, 8_000),
    },
    embeddings: modelEndpoint(env.EMBEDDINGS_PROVIDER, env.EMBEDDINGS_BASE_URL, env.EMBEDDINGS_MODEL, env.EMBEDDINGS_API_KEY, positiveInt(env.EMBEDDINGS_TIMEOUT_MS, 400)),
    reranker: modelEndpoint(env.RERANKER_PROVIDER, env.RERANKER_BASE_URL, env.RERANKER_MODEL, env.RERANKER_API_KEY, positiveInt(env.RERANKER_TIMEOUT_MS, 300)),
    desk: {
      config: readDeskConfig({
        businessHours: env.BUSINESS_HOURS,
        replyTimeoutSeconds: env.AGENT_REPLY_TIMEOUT_SECONDS,
        maxWaitSeconds: env.HANDOFF_MAX_WAIT_SECONDS,
        firstResponseSeconds: env.SLA_FIRST_RESPONSE_SECONDS,
        nextResponseSeconds: env.SLA_NEXT_RESPONSE_SECONDS,
        warningRatio: env.SLA_WARNING_RATIO,
        maxOpenTickets: env.MAX_OPEN_TICKETS,
        maxQueueLength: env.MAX_QUEUE_LENGTH,
      }),
      defaultTeam: env.DEFAULT_TEAM?.trim() || "support",
      agentTokenTtlSeconds: positiveInt(env.AGENT_TOKEN_TTL_SECONDS, 28_800),
      reconnectGraceMs: positiveInt(env.AGENT_RECONNECT_GRACE_SECONDS, 10) * 1000,
    },
    learn: {
      mode: (LEARN_MODES as readonly string[]).includes(env.LEARN_MODE ?? "") ? (env.LEARN_MODE as LearnMode) : DEFAULT_LEARN_SETTINGS.mode,
      minConfirmations: positiveInt(env.LEARN_MIN_CONFIRMATIONS, DEFAULT_LEARN_SETTINGS.minConfirmations),
      maxPerClientPerDay: positiveInt(env.LEARN_MAX_PER_CLIENT_PER_DAY, DEFAULT_LEARN_SETTINGS.maxPerClientPerDay),
    },
    email: readEmailConfig(env),
    releases: env.KB_RELEASES !== "off",
    ops: {
      events: env.OPS_EVENTS !== "off",
      resolutionWindowMs: positiveInt(env.RESOLUTION_WINDOW_SECONDS, 1_800) * 1000,
      webhookUrl: env.ALERT_WEBHOOK_URL ?? "",
      webhookSecret: env.ALERT_WEBHOOK_SECRET ?? "",
      alertRules: env.ALERT_RULES ?? "",
      autoRemediation: remediationModes(env.AUTO_REMEDIATION),
      runbookBaseUrl: httpsUrl(env.RUNBOOK_BASE_URL),
    },
  };
}

/** The email channel's settings. */
export interface EmailConfig {
  /** EMAIL_SUPPORT_ADDRESS, lower case: mail to it (or reply+<token>@ its domain) is ours. */
  supportAddress: string;
  /** The part after the @ of the support address. */
  domain: string;
  fromName: string;
  /** The team whose desk takes email conversations (EMAIL_TEAM, else DEFAULT_TEAM). */
  team: string;
  maxBytes: number;
  region: Region;
  jurisdiction: "eu" | null;
  idleSeconds: number;
}

function readEmailConfig(env: ConfigVars): EmailConfig {
  const address = (env.EMAIL_SUPPORT_ADDRESS ?? "").trim().toLowerCase();
  const at = address.indexOf("@");
  const wellFormed = at > 0 && at === address.lastIndexOf("@") && address.slice(at + 1).includes(".") && !/\s/.test(address);
  const supportAddress = wellFormed ? address : "support@holdfast.test";
  const region = env.EMAIL_REGION?.trim() ?? "";
  return {
    supportAddress,
    domain: supportAddress.slice(supportAddress.indexOf("@") + 1),
    fromName: env.EMAIL_FROM_NAME?.trim() || "Support",
    team: env.EMAIL_TEAM?.trim() || env.DEFAULT_TEAM?.trim() || "support",
    maxBytes: positiveInt(env.EMAIL_MAX_BYTES, 10_485_760),
    region: isRegion(region) ? region : isRegion(env.DEFAULT_REGION ?? "") ? (env.DEFAULT_REGION as Region) : "weur",
    jurisdiction: env.EMAIL_JURISDICTION === "none" ? null : "eu",
    idleSeconds: positiveInt(env.EMAIL_IDLE_SECONDS, 604_800),
  };
}

function modelEndpoint(provider: string | undefined, baseUrl: string | undefined, model: string | undefined, apiKey: string | undefined, timeoutMs: number): ModelEndpoint {
  return { provider: provider === "openai" || provider === "workers-ai" ? provider : "off", baseUrl: baseUrl ?? "", model: model ?? "", apiKey: apiKey || undefined, timeoutMs };
}

function positiveInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** A share strictly between 0 and 1. */
function share(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw?.trim() && n > 0 && n < 1 ? n : fallback;
}

/** `n` for every region, or `region=n,…` with `*=n` as the default; each clamped to 1..max. */
function perRegion(raw: string | undefined, fallback: number, max: number): (region: Region) => number {
  const clamp = (n: number) => Math.min(max, Math.max(1, n));
  const whole = Number(raw);
  if (Number.isInteger(whole) && whole > 0) return () => clamp(whole);
  const table = new Map<string, number>();
  for (const part of listOf(raw)) {
    const m = /^([a-z*]+)=(\d+)$/.exec(part);
    if (m && Number(m[2]) > 0) table.set(m[1]!, clamp(Number(m[2])));
  }
  const other = table.get("*") ?? fallback;
  return (region) => table.get(region) ?? other;
}

export type RemediationMode = "on" | "off" | "dry-run";
const REMEDIATION_MODES: readonly string[] = ["on", "off", "dry-run"];

/** `on`, `off` or `dry-run` for every region, or `region=mode,…` with `*=mode` as the default (on). */
function remediationModes(raw: string | undefined): (region: Region) => RemediationMode {
  const value = raw?.trim() ?? "";
  if (REMEDIATION_MODES.includes(value)) return () => value as RemediationMode;
  const table = new Map<string, RemediationMode>();
  for (const part of listOf(value)) {
    const m = /^([a-z*]+)=(on|off|dry-run)$/.exec(part);
    if (m) table.set(m[1]!, m[2] as RemediationMode);
  }
  const other = table.get("*") ?? "on";
  return (region) => table.get(region) ?? other;
}

/** An http(s) URL as given, or "" when it is not one. */
function httpsUrl(raw: string | undefined): string {
  const value = raw?.trim() ?? "";
  return /^https?:\/\/[^\s]+$/.test(value) ? value : "";
}

/** `on`, `off`, or a comma-separated list of the teams it is on for; absent or blank: `fallback` for every team. */
function teamSwitch(raw: string | undefined, fallback: boolean): (team: string) => boolean {
  const value = raw?.trim().toLowerCase() ?? "";
  if (!value) return () => fallback;
  if (value === "on" || value === "off") return () => value === "on";
  const teams = new Set(listOf(raw));
  return (team) => teams.has(team);
}

function listOf(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim().replace(/(?<!\/)\/+$/, ""))
    .filter(Boolean);
}

/** The master keyring; without one no conversation can be stored, which is our fault: a 500. */
export function requireKeyring(config: Config): Keyring {
  if (!config.dataKeyring) throw new AppError("server_misconfigured");
  return config.dataKeyring;
}

/** The token secret; a missing or short one is our fault, so it is a 500. */
export function requireSecret(config: Config): string {
  if (config.tokenSecret.length < 16) throw new AppError("server_misconfigured");
  return config.tokenSecret;
}

/** The secret that keys client addresses' hashes; a missing or short one is our fault: a 500. */
export function requireClientKeySecret(config: Config): string {
  if (config.clientKeySecret.length < 16) throw new AppError("server_misconfigured");
  return config.clientKeySecret;
}

// OpenAPI shapes of the ops API (/v1/ops/*) and the KB gap report: KPI summaries, series,
// alerts and gaps. Responses only; the queries are validated where the routes are.
import { z } from "@hono/zod-openapi";
import { DEGRADED_REASONS, HANDOFF_REASONS, TURN_DECISIONS } from "../ops/events.ts";
import { GAP_REASONS } from "../ops/gaps.ts";
import { METRIC_NAMES } from "../ops/metrics.ts";

const rate = z.number().nullable();
const reasons = (names: readonly string[]) => z.object(Object.fromEntries(names.map((n) => [n, z.number().int()])));

export const KpisSchema = z
  .object({
    turns: z.number().int(),
    decisions: reasons(TURN_DECISIONS),
    conversations: z.number().int(),
    aiResolution: z.object({ rate, confirmed: z.number().int(), assumed: z.number().int(), confirmedRate: rate, assumedRate: rate }),
    containment: rate,
    firstContactResolution: rate,
    csat: z.object({ mean: rate, count: z.number().int(), distribution: reasons(["1", "2", "3", "4", "5"]), satisfiedShare: rate }),
    helpful: z.object({ ratio: rate, helpful: z.number().int(), notHelpful: z.number().int() }),
    handoffs: z.object({ total: z.number().int(), reasons: reasons(HANDOFF_REASONS) }),
    agentFirstResponseSeconds: z.object({ p50: rate, p90: rate, count: z.number().int() }),
    slaBreaches: z.number().int(),
    degraded: z.object({ share: rate, turns: z.number().int(), reasons: reasons(DEGRADED_REASONS) }),
    errorRate: rate,
    turnLatencySeconds: z.object({ p50: rate, p99: rate }),
  })
  .openapi("Kpis");

export const SummarySchema = z
  .object({
    region: z.string().openapi({ description: "The region, or the regions merged, joined with commas." }),
    window: z.enum(["1h", "24h", "7d"]),
    from: z.number().int(),
    to: z.number().int(),
    overall: KpisSchema,
    byLanguage: z.record(z.string(), KpisSchema),
    byKbVersion: z.record(z.string(), KpisSchema),
    byMode: z.record(z.string(), KpisSchema),
    byVersion: z.record(z.string(), KpisSchema).openapi({ description: "By Worker version id (`unknown`: events that named none; `other`: tallies past the label limit): a gradual deployment's versions side by side." }),
    gauges: z.object({ replicaLagSeconds: rate, queueDepth: rate, queueWaitSeconds: rate }),
    regions: z.array(z.string()).openapi({ description: "The regions that answered." }),
  })
  .openapi("OpsSummary");

export const SeriesSchema = z
  .object({
    region: z.string(),
    window: z.enum(["1h", "24h", "7d"]),
    series: z.array(z.object({ metric: z.enum(METRIC_NAMES), step: z.number().int(), points: z.array(z.object({ t: z.number().int(), value: rate })) })),
  })
  .openapi("OpsSeries");

const SignalSchema = z
  .object({
    kind: z.enum(["fault", "breaker", "release", "desk", "degraded_reason", "replica", "turn_errors", "kb_version"]),
    score: z.number().openapi({ description: "The kind's weight times the signal's strength (docs/ops.md)." }),
  })
  .passthrough()
  .openapi("AlertSignal", { description: "A correlated signal: a fault on (name), a breaker open (name), a release open (id, ageMinutes), a desk's abandoned conversations (team, conversations), degraded turns by reason (reason, turns, share), a replica failing or behind (replica, lagSeconds, failures, error), failed turns (turns, share), a new KB version (version, ageMinutes)." });

const AlertSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    region: z.string(),
    kind: z.enum(["threshold", "anomaly", "reads"]),
    metric: z.enum([...METRIC_NAMES, "transcript_reads"]),
    subject: z.string().nullable().openapi({ description: "The operator of a transcript_reads alert; null for the others." }),
    level: z.enum(["warning", "critical"]),
    value: z.number(),
    threshold: z.number(),
    firedAt: z.number().int(),
    updatedAt: z.number().int(),
    clearSince: z.number().int().nullable(),
    resolvedAt: z.number().int().nullable(),
    runbook: z.string().openapi({ example: "docs/runbooks/degraded-share.md", description: "The rule's runbook: a path in the repository." }),
    likelyCause: z
      .object({ at: z.number().int(), hint: z.string().openapi({ example: "fault replica-down is on (+2 more signals)" }), signals: z.array(SignalSchema) })
      .nullable()
      .openapi({ description: "The signals correlated with the alert when it fired (or was last looked at), ranked; null until gathered." }),
    remediation: z
      .array(
        z.object({
          action: z.string().openapi({ example: "replica_resync" }),
          target: z.string(),
          result: z.enum(["done", "dry_run", "failed"]),
          at: z.number().int(),
          detail: z.string().optional(),
        }),
      )
      .openapi({ description: "What was done about it automatically (AUTO_REMEDIATION), oldest first; each is audited as ops.remediation.<action>." }),
  })
  .openapi("Alert");

export const AlertsSchema = z
  .object({
    open: z.array(AlertSchema),
    recent: z.array(AlertSchema).openapi({ description: "Resolved in the last 24 hours, most recent first." }),
    rules: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The rules in force (built-in defaults after ALERT_RULES overrides), each with its `runbook`." }),
    ruleErrors: z.array(z.object({ rule: z.string(), issue: z.string() })),
    webhook: z.boolean().openapi({ description: "Whether notices are delivered to ALERT_WEBHOOK_URL." }),
    autoRemediation: z.record(z.string(), z.enum(["on", "off", "dry-run"])).openapi({ description: "AUTO_REMEDIATION of each region answered." }),
    runbookBaseUrl: z.string().nullable().openapi({ description: "RUNBOOK_BASE_URL: prefix a runbook path with it for a link; null when unset." }),
  })
  .openapi("OpsAlerts");

export const GapSchema = z
  .object({
    id: z.string().openapi({ example: "weur.gap_en_0123456789abcdef", description: "The largest member's reference; any member's reference names the gap too." }),
    language: z.string(),
    count: z.number().int(),
    examples: z.array(z.string()).openapi({ description: "Example questions, redacted." }),
    draftable: z.array(z.string()).openapi({ description: "The examples a draft made from the gap carries: none from an EU conversation (those stay in EU objects; the editor types the draft's words)." }),
    representative: z.string(),
    reasons: reasons(GAP_REASONS),
    firstSeen: z.number().int(),
    lastSeen: z.number().int(),
    members: z.array(z.string()),
    regions: z.array(z.string()),
    draft: z.string().nullable().openapi({ description: "The draft article made from this gap, if any." }),
  })
  .openapi("KbGap");

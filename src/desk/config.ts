// A team's desk settings from raw strings (environment variables or a stored team record)
// to a DeskConfig, with the defaults in one place. Malformed numbers fall back to defaults,
// as src/config.ts does; malformed business hours are an error, since guessing "always open"
// or "always closed" would silently misroute customers.
import { parseBusinessHours } from "./business-hours.ts";
import type { DeskConfig } from "./model.ts";

export interface DeskSettings {
  /** BUSINESS_HOURS, e.g. `Mon-Sat 08:00-20:00 Europe/Berlin`; unset or blank: always open. */
  businessHours?: string;
  /** AGENT_REPLY_TIMEOUT_SECONDS */
  replyTimeoutSeconds?: string;
  /** HANDOFF_MAX_WAIT_SECONDS */
  maxWaitSeconds?: string;
  /** SLA_FIRST_RESPONSE_SECONDS */
  firstResponseSeconds?: string;
  /** SLA_NEXT_RESPONSE_SECONDS */
  nextResponseSeconds?: string;
  /** SLA_WARNING_RATIO, a fraction of the target in (0, 1]. */
  warningRatio?: string;
  /** MAX_OPEN_TICKETS */
  maxOpenTickets?: string;
  /** MAX_QUEUE_LENGTH */
  maxQueueLength?: string;
}

export const DESK_DEFAULTS = {
  replyTimeoutSeconds: 90,
  maxWaitSeconds: 600,
  firstResponseSeconds: 120,
  nextResponseSeconds: 300,
  warningRatio: 0.8,
  maxOpenTickets: 500,
  maxQueueLength: 200,
} as const;

export type DeskConfigRead = { ok: true; config: DeskConfig } | { ok: false; issue: string };

/** Builds a desk config; `issue` explains malformed business hours (map it to `server_misconfigured`). */
export function readDeskConfig(settings: DeskSettings): DeskConfigRead {
  let businessHours: DeskConfig["businessHours"] = null;
  if (settings.businessHours?.trim()) {
    const parsed = parseBusinessHours(settings.businessHours);
    if (!parsed.ok) return { ok: false, issue: `BUSINESS_HOURS: ${parsed.issue}` };
    businessHours = parsed.hours;
  }
  const ratio = Number(settings.warningRatio);
  return {
    ok: true,
    config: {
      replyTimeoutMs: positiveInt(settings.replyTimeoutSeconds, DESK_DEFAULTS.replyTimeoutSeconds) * 1000,
      maxWaitMs: positiveInt(settings.maxWaitSeconds, DESK_DEFAULTS.maxWaitSeconds) * 1000,
      sla: {
        firstResponseMs: positiveInt(settings.firstResponseSeconds, DESK_DEFAULTS.firstResponseSeconds) * 1000,
        nextResponseMs: positiveInt(settings.nextResponseSeconds, DESK_DEFAULTS.nextResponseSeconds) * 1000,
        warningRatio: settings.warningRatio !== undefined && ratio > 0 && ratio <= 1 ? ratio : DESK_DEFAULTS.warningRatio,
      },
      businessHours,
      maxOpenTickets: positiveInt(settings.maxOpenTickets, DESK_DEFAULTS.maxOpenTickets),
      maxQueueLength: positiveInt(settings.maxQueueLength, DESK_DEFAULTS.maxQueueLength),
    },
  };
}

/** A positive whole number (seconds, or a count), else the fallback. */
function positiveInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}

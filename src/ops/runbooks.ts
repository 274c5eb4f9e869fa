// Where each alert rule's and each fault's runbook page lives in the repository
// (docs/runbooks/): what it means, how to confirm it, what to do, how to know it is over.
// A test checks that every path named here exists.

export const RUNBOOK_DIR = "docs/runbooks";

/** The runbook index: what a rule added through ALERT_RULES without a page of its own links to. */
export const RUNBOOK_INDEX = `${RUNBOOK_DIR}/README.md`;

/** A runbook path as ALERT_RULES may name one: a page directly under docs/runbooks. */
export const RUNBOOK_PATH = /^docs\/runbooks\/[a-z0-9][a-z0-9-]{0,63}\.md$/;

/** The page of a built-in rule: its id with hyphens (`degraded_share` → `docs/runbooks/degraded-share.md`). */
export function ruleRunbook(ruleId: string): string {
  return `${RUNBOOK_DIR}/${ruleId.replaceAll("_", "-")}.md`;
}

/** The page of a fault, by its name with or without a value (`replica-shard-down=2` → `fault-replica-shard-down.md`). */
export function faultRunbook(fault: string): string {
  return `${RUNBOOK_DIR}/fault-${fault.split("=")[0]}.md`;
}

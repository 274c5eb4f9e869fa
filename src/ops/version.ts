// The Worker version an event, a metric or a probe belongs to: Cloudflare's version id (a
// UUID, from the `version_metadata` binding), so that the versions of a gradual deployment
// can be compared side by side. As a label it is bounded: anything that is not a version id
// counts as `unknown` (events of releases before versions were recorded, a missing binding).

/** What the version metadata binding says of the running version. */
export interface WorkerVersion {
  /** The version id (UUID); "" when the binding is missing. */
  id: string;
  /** The tag given at `wrangler versions upload --tag` ("" when none; always "" locally). */
  tag: string;
  /** When the version was uploaded (ISO 8601; locally, when the runtime started). */
  timestamp: string;
}

export const NO_VERSION: WorkerVersion = { id: "", tag: "", timestamp: "" };

/** The label of events with no (or no valid) version. */
export const UNKNOWN_VERSION = "unknown";
/** The label versions are folded into once more than the kept number were seen. */
export const OTHER_VERSION = "other";

const VERSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a value is a Worker version id. */
export function isVersionId(value: unknown): value is string {
  return typeof value === "string" && VERSION_ID.test(value);
}

/** The label of a version: its id, or `unknown`. */
export function versionLabel(version: unknown): string {
  return isVersionId(version) ? version : UNKNOWN_VERSION;
}

/** A version label as a query may name it: a version id, `unknown` or `other`. */
export function isVersionLabel(value: string): boolean {
  return value === UNKNOWN_VERSION || value === OTHER_VERSION || isVersionId(value);
}

// Operator roles and the rule that checks one against a route. Roles are flat (no
// inheritance): a route names every role it admits, so reading a route tells you who can
// call it without consulting a hierarchy.

/** Every operator role, most privileged first. */
export const ROLES = ["admin", "kb_editor", "agent", "ops_viewer"] as const;

export type OperatorRole = (typeof ROLES)[number];

/** True when `value` names a role (for input from the CLI, the API or a database row). */
export function isRole(value: unknown): value is OperatorRole {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when an operator with `role` may call a route that admits `allowed`. */
export function roleAllows(role: OperatorRole, allowed: readonly OperatorRole[]): boolean {
  return allowed.includes(role);
}

export type RoleDecision = { allowed: true } | { allowed: false; code: "forbidden" };

/**
 * Decides access for a route. Unknown roles (a row written by a newer version, say) are
 * denied rather than trusted.
 */
export function checkRole(role: unknown, allowed: readonly OperatorRole[]): RoleDecision {
  return isRole(role) && roleAllows(role, allowed) ? { allowed: true } : { allowed: false, code: "forbidden" };
}

/** Route groups the admin API is expected to use; a route may also list roles directly. */
export const ROUTE_ROLES = {
  /** Operators, keys, the audit log. */
  manageOperators: ["admin"],
  /** Writing KB articles. */
  editKb: ["admin", "kb_editor"],
  /** Reading conversations and taking them over. */
  handleConversations: ["admin", "agent"],
  /** Health, breakers, metrics: no customer data. */
  viewOps: ["admin", "kb_editor", "agent", "ops_viewer"],
  /** GDPR export and erasure of a subject. */
  privacyRequests: ["admin"],
} as const satisfies Record<string, readonly OperatorRole[]>;

// The releases card of the ops dashboard: the latest KB release (state, share, who closed it
// and why) and, while it is open or as it closed, the guard's comparison of its canary and
// stable conversations, from GET /v1/admin/kb/releases. Hidden before the first release.

/**
 * @typedef {{ conversations: number, answeredShare: number | null, wrongAnswerRate: number | null, clarificationPickRate: number | null, handoffRate: number | null, outOfScopeRate: number | null, latencyMs: number | null }} Arm
 * @typedef {{ id: string, state: string, percent: number, stableVersion: number, candidateVersion: number, openedAt: string, closedBy: string | null, reason: string | null, comparison: { canary: Arm, stable: Arm } | null }} Release
 * @typedef {{ el: (tag: string, attrs?: Record<string, string>, ...children: Array<Node | string>) => HTMLElement, t: (path: string, vars?: Record<string, unknown>) => string, number: (n: number | null | undefined, digits?: number) => string, percent: (r: number | null | undefined) => string }} Format
 */

const ROWS = /** @type {const} */ (["conversations", "answeredShare", "wrongAnswerRate", "clarificationPickRate", "handoffRate", "outOfScopeRate", "latencyMs"]);

/**
 * @param {HTMLElement} card
 * @param {HTMLElement} summary
 * @param {HTMLTableElement} table
 * @param {Release | undefined} release
 * @param {Format} f
 */
export function renderRelease(card, summary, table, release, f) {
  card.hidden = !release;
  if (!release) return table.replaceChildren();
  card.dataset.state = release.state;
  const closed = release.closedBy ? ` — ${f.t("releaseClosed", { by: release.closedBy, reason: release.reason ?? "" })}` : "";
  summary.textContent = `${f.t(`releaseState.${release.state}`)}: ${release.id}, ${f.t("releaseShare", { percent: release.percent, stable: release.stableVersion, candidate: release.candidateVersion })}${closed}`;
  const c = release.comparison;
  if (!c) return table.replaceChildren();
  const value = (row, arm) => (row === "conversations" ? f.number(arm.conversations) : row === "latencyMs" ? (arm.latencyMs === null ? "–" : `${f.number(arm.latencyMs)} ms`) : f.percent(arm[row]));
  const head = f.el("tr", {}, f.el("th", { scope: "col" }, ""), f.el("th", { scope: "col" }, f.t("releaseArm.canary")), f.el("th", { scope: "col" }, f.t("releaseArm.stable")));
  const rows = ROWS.map((row) => f.el("tr", { "data-metric": row }, f.el("th", { scope: "row" }, f.t(`releaseRow.${row}`)), f.el("td", {}, value(row, c.canary)), f.el("td", {}, value(row, c.stable))));
  table.replaceChildren(f.el("thead", {}, head), f.el("tbody", {}, ...rows));
}

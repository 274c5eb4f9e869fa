// The version split of the ops dashboard: while a gradual deployment runs two Worker versions
// (or events of an older one are still in the window), turns, degraded share, errors and
// latency per version side by side, from the summary's `byVersion`. Hidden with one version.

/**
 * @typedef {{ turns: number, degraded: { share: number | null }, errorRate: number | null, turnLatencySeconds: { p50: number | null, p99: number | null } }} VersionKpis
 * @typedef {{ el: (tag: string, attrs?: Record<string, string>, ...children: Array<Node | string>) => HTMLElement, t: (path: string, vars?: Record<string, unknown>) => string, number: (n: number | null | undefined, digits?: number) => string, percent: (r: number | null | undefined) => string, seconds: (s: number | null | undefined) => string }} Format
 */

/** How a version is named: the start of its id (the whole id on hover), or what `unknown` and `other` mean. */
function versionName(id, f) {
  if (id === "unknown" || id === "other") return f.el("span", { title: f.t(`versionHint.${id}`) }, f.t(`versionName.${id}`));
  return f.el("code", { title: id }, id.slice(0, 8));
}

/**
 * Fills the versions table (and shows its card) when the window holds turns of more than one
 * version, most turns first.
 * @param {HTMLElement} card
 * @param {HTMLTableElement} table
 * @param {Record<string, VersionKpis> | undefined} byVersion
 * @param {Format} f
 */
export function renderVersions(card, table, byVersion, f) {
  const versions = Object.entries(byVersion ?? {}).filter(([, k]) => k.turns > 0).sort((a, b) => b[1].turns - a[1].turns);
  card.hidden = versions.length < 2;
  if (card.hidden) return table.replaceChildren();
  const total = versions.reduce((n, [, k]) => n + k.turns, 0);
  const head = f.el("tr", {}, ...["version", "turns", "degraded", "errors", "latency"].map((c) => f.el("th", { scope: "col" }, f.t(`versionColumns.${c}`))));
  const rows = versions.map(([id, k]) =>
    f.el(
      "tr",
      { "data-version": id },
      f.el("th", { scope: "row" }, versionName(id, f)),
      f.el("td", {}, `${f.number(k.turns)} (${f.percent(k.turns / total)})`),
      f.el("td", {}, f.percent(k.degraded.share)),
      f.el("td", {}, f.percent(k.errorRate)),
      f.el("td", {}, `${f.seconds(k.turnLatencySeconds.p50)} / ${f.seconds(k.turnLatencySeconds.p99)}`),
    ),
  );
  table.replaceChildren(f.el("thead", {}, head), f.el("tbody", {}, ...rows));
}

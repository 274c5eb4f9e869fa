// The ops dashboard (/ops): sign in with an operator key, then poll the ops API every few
// seconds for one region or all of them — KPI tiles, charts (turns, latency, degraded share,
// the handoff queue), decisions, reasons, CSAT, the Worker versions side by side during a
// gradual deployment, the latest KB release with its canary and stable arms, and alerts (with their runbook, likely cause and what self-repair did)
// — and, for KB editors and
// admins, the KB gap report with a "create draft" button. English and Chinese.
import { pickLanguage, saveLanguage } from "./i18n.js";
import { alertItem } from "./ops-alerts.js";
import { lineChart } from "./ops-charts.js";
import { OPS_STRINGS } from "./ops-i18n.js";
import { renderRelease } from "./ops-releases.js";
import { renderVersions } from "./ops-versions.js";

const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];
const WINDOWS = ["1h", "24h", "7d"];
const POLL_MS = 5_000;
const GAPS_EVERY_MS = 30_000;
const KEY = "holdfast.ops.key";
const $ = (id) => document.getElementById(id);

const state = { lang: pickLanguage(), key: null, region: "", window: "1h", canOps: false, canGaps: false, charts: null, data: null, gaps: null, gapsAt: 0, timer: null, updatedAt: null, gapLocale: "" };

const t = (path, vars = {}) => {
  const value = path.split(".").reduce((o, k) => o?.[k], OPS_STRINGS[state.lang]) ?? path.split(".").reduce((o, k) => o?.[k], OPS_STRINGS.en) ?? path;
  return typeof value === "string" ? value.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? "")) : value;
};
const number = (n, digits = 0) => (n === null || n === undefined ? "–" : new Intl.NumberFormat(state.lang, { maximumFractionDigits: digits }).format(n));
const percent = (r) => (r === null || r === undefined ? "–" : new Intl.NumberFormat(state.lang, { style: "percent", maximumFractionDigits: 1 }).format(r));
const seconds = (s) => (s === null || s === undefined ? "–" : s < 1 ? `${number(s * 1000)} ms` : s < 120 ? `${number(s, 1)} s` : `${number(s / 60, 1)} min`);
const clock = (ms) => new Intl.DateTimeFormat(state.lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(ms));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { Authorization: `Bearer ${state.key}`, ...(init.headers ?? {}) } });
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  return { status: res.status, body };
}

const remember = (key) => {
  try {
    key ? sessionStorage.setItem(KEY, key) : sessionStorage.removeItem(KEY);
  } catch {
    // Storage denied: the key lives for this page only.
  }
};
const recalled = () => {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
};

function applyText() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").textContent = t("switchTo");
  const fill = (select, items, selected) => {
    select.replaceChildren(...items.map(([value, label]) => el("option", { value, ...(value === selected ? { selected: "" } : {}) }, label)));
  };
  fill($("region"), [["", t("global")], ...REGIONS.map((r) => [r, r])], state.region);
  fill($("window"), WINDOWS.map((w) => [w, t(`windows.${w}`)]), state.window);
  fill($("gap-locale"), [["", t("allLanguages")], ["en", "English"], ["zh-CN", "中文"]], state.gapLocale);
  rebuildCharts();
  render();
  renderGaps();
}

function rebuildCharts() {
  if (!state.canOps) return;
  for (const c of Object.values(state.charts ?? {})) c.destroy();
  const locale = state.lang;
  state.charts = {
    turns: lineChart($("chart-turns"), { locale, lines: [{ label: t("series.turns"), color: "#1f5fbf" }], counts: true, format: (v) => number(v) }),
    latency: lineChart($("chart-latency"), { locale, lines: [{ label: t("series.p50"), color: "#1f8f5f" }, { label: t("series.p99"), color: "#c2410c" }], format: (v) => number(v) }),
    degraded: lineChart($("chart-degraded"), { locale, lines: [{ label: t("series.degraded"), color: "#b42318" }], scales: { y: { range: [0, 100] } }, format: (v) => number(v) }),
    queue: lineChart($("chart-queue"), { locale, lines: [{ label: t("series.depth"), color: "#6d28d9" }, { label: t("series.wait"), color: "#a16207", scale: "s" }], counts: true, format: (v) => number(v) }),
  };
}

function tile(id, label, value, detail = "") {
  return el("li", { class: "tile", "data-kpi": id }, el("span", { class: "label" }, label), el("span", { class: "value" }, value), el("span", { class: "detail" }, detail));
}

/** A bar as wide as `share` of its cell (set through the CSSOM, which the CSP allows). */
function bar(share) {
  const fill = el("span", { class: "fill" });
  fill.style.width = `${Math.round(Math.min(1, Math.max(0, share)) * 100)}%`;
  return el("span", { class: "track", "aria-hidden": "true" }, fill);
}

function rows(table, entries, format = (n) => number(n)) {
  const shown = entries.filter(([, n]) => n > 0);
  const total = shown.reduce((sum, [, n]) => sum + n, 0);
  table.replaceChildren(...(shown.length ? shown.map(([label, n]) => el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, format(n)), el("td", { class: "share" }, bar(n / total)))) : [el("tr", {}, el("td", { class: "muted" }, t("none")))]));
}

function render() {
  const d = state.data;
  if (!d || !state.canOps) return;
  const k = d.summary.overall;
  const perMinute = (() => {
    const points = d.series.find((s) => s.metric === "turns")?.points.slice(-5) ?? [];
    return points.length ? points.reduce((n, p) => n + (p.value ?? 0), 0) / points.length : null;
  })();
  const queue = d.summary.gauges;
  $("tiles").replaceChildren(
    tile("turns", t("tiles.turns"), number(k.turns)),
    tile("perMinute", t("tiles.perMinute"), number(perMinute, 1)),
    tile("latency", t("tiles.latency"), `${seconds(k.turnLatencySeconds.p50)} / ${seconds(k.turnLatencySeconds.p99)}`),
    tile("degraded", t("tiles.degraded"), percent(k.degraded.share), `${number(k.degraded.turns)} / ${number(k.turns)}`),
    tile("aiResolution", t("tiles.aiResolution"), percent(k.aiResolution.rate), t("aiSplit", { confirmed: number(k.aiResolution.confirmed), assumed: number(k.aiResolution.assumed) })),
    tile("containment", t("tiles.containment"), percent(k.containment)),
    tile("fcr", t("tiles.fcr"), percent(k.firstContactResolution)),
    tile("csat", t("tiles.csat"), k.csat.mean === null ? "–" : `${number(k.csat.mean, 2)} / 5`, t("ratings", { n: number(k.csat.count), helpful: percent(k.helpful.ratio) })),
    tile("queue", t("tiles.queue"), number(queue.queueDepth ?? 0), t("queueWait", { wait: seconds(queue.queueWaitSeconds ?? 0) })),
    tile("agent", t("tiles.agent"), `${seconds(k.agentFirstResponseSeconds.p50)} / ${seconds(k.agentFirstResponseSeconds.p90)}`),
    tile("sla", t("tiles.sla"), number(k.slaBreaches)),
    tile("alerts", t("tiles.alerts"), number(d.alerts.open.length)),
  );
  const alertTile = $("tiles").querySelector('[data-kpi="alerts"]');
  if (d.alerts.open.some((a) => a.level === "critical")) alertTile.classList.add("critical");
  else if (d.alerts.open.length) alertTile.classList.add("warning");

  rows($("decisions"), Object.entries(k.decisions).map(([name, n]) => [t(`decision.${name}`), n]));
  rows($("degraded-reasons"), Object.entries(k.degraded.reasons).map(([name, n]) => [t(`degradedReason.${name}`), n]));
  rows($("handoff-reasons"), Object.entries(k.handoffs.reasons).map(([name, n]) => [t(`handoffReason.${name}`), n]));
  rows($("csat"), ["5", "4", "3", "2", "1"].map((s) => [t("stars", { n: s }), k.csat.distribution[s]]));
  renderVersions($("versions-card"), $("versions"), d.summary.byVersion, { el, t, number, percent, seconds });
  renderRelease($("release-card"), $("release-summary"), $("release-arms"), d.release, { el, t, number, percent });

  const bySeries = Object.fromEntries(d.series.map((s) => [s.metric, s.points]));
  const xs = (bySeries.turns ?? []).map((p) => p.t / 1000);
  const values = (metric, scale = 1) => (bySeries[metric] ?? []).map((p) => (p.value === null ? null : p.value * scale));
  state.charts?.turns.update(xs, [values("turns")]);
  state.charts?.latency.update(xs, [values("turn_latency_p50", 1000), values("turn_latency_p99", 1000)]);
  state.charts?.degraded.update(xs, [values("degraded_share", 100)]);
  state.charts?.queue.update(xs, [values("queue_depth"), values("queue_wait")]);

  const view = { t, number, percent, clock, el, runbookBaseUrl: d.alerts.runbookBaseUrl ?? null };
  const alertItems = [...d.alerts.open, ...d.alerts.recent.slice(0, 5)].map((a) => alertItem(a, view));
  $("alerts").replaceChildren(...(alertItems.length ? alertItems : [el("li", { class: "muted" }, t("noAlerts"))]));
}

function renderGaps() {
  if (!state.canGaps || !state.gaps) return;
  const items = state.gaps.map((g) => {
    const reasons = Object.entries(g.reasons).filter(([, n]) => n > 0).map(([r, n]) => `${t(`reasons.${r}`)} ${number(n)}`).join(" · ");
    const draft = g.draft ? el("span", { class: "draft" }, t("draftMade", { id: g.draft })) : el("button", { type: "button", class: "make-draft", "data-gap": g.id }, t("createDraft"));
    // Most misunderstood questions are new wordings of an existing article: say which, and they teach it.
    const belongs = el(
      "span",
      { class: "belongs" },
      el("input", { class: "belongs-article", list: "gap-articles", placeholder: t("belongsPlaceholder"), "aria-label": t("belongsTo"), "data-gap": g.id }),
      el("button", { type: "button", class: "belongs-to", "data-gap": g.id }, t("belongsTo")),
    );
    const action = el("div", { class: "gap-actions" }, draft, belongs);
    const examples = el("ul", { class: "examples" }, ...g.examples.map((e) => el("li", { lang: g.language === "zh" ? "zh-CN" : g.language }, e)));
    return el("li", { class: "gap", "data-gap": g.id }, el("div", { class: "gap-title" }, el("strong", { lang: g.language === "zh" ? "zh-CN" : g.language }, g.representative), el("span", { class: "count" }, t("asked", { n: number(g.count) }))), el("p", { class: "muted" }, `${reasons} · ${t("regions", { list: g.regions.join(", ") })}`), examples, action);
  });
  $("gap-list").replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, t("noGaps"))]));
}

/** The ops API query of the region and window on screen. */
const query = () => `window=${state.window}${state.region ? `&region=${state.region}` : ""}`;

async function refresh() {
  const q = query();
  try {
    if (state.canOps) {
      const metrics = "turns,turn_latency_p50,turn_latency_p99,degraded_share,queue_depth,queue_wait";
      const [summary, series, alerts, releases] = await Promise.all([api(`/v1/ops/summary?${q}`), api(`/v1/ops/series?metric=${metrics}&${q}`), api(`/v1/ops/alerts${state.region ? `?region=${state.region}` : ""}`), api("/v1/admin/kb/releases?limit=1").catch(() => null)]);
      if ([summary, series, alerts].some((r) => r.status === 401)) return signOut();
      // A poll that left before the region or window was changed must not paint over the new choice.
      if (q === query() && summary.status === 200 && series.status === 200 && alerts.status === 200) {
        state.data = { summary: summary.body, series: series.body.series, alerts: alerts.body, release: releases?.status === 200 ? releases.body.releases[0] : undefined };
        state.updatedAt = Date.now();
        render();
      }
    }
    if (state.canGaps && Date.now() - state.gapsAt >= GAPS_EVERY_MS) await loadGaps();
    if (!state.canOps) state.updatedAt = Date.now();
  } catch {
    // Offline for a moment: the next poll tries again, the status line says since when.
  }
  $("updated").textContent = state.updatedAt ? t(Date.now() - state.updatedAt > 3 * POLL_MS ? "stale" : "updated", { time: clock(state.updatedAt) }) : "";
}

/** Per language: questions learned this week, and the answered-right trend (AI resolution, 24 h against 7 days). */
async function loadLearning() {
  const [stats, day, week, articles] = await Promise.all([
    api("/v1/admin/kb/learned/stats"),
    state.canOps ? api("/v1/ops/summary?window=24h") : null,
    state.canOps ? api("/v1/ops/summary?window=7d") : null,
    api("/v1/admin/kb/articles?limit=500&status=published"),
  ]);
  if (articles.status === 200) $("gap-articles").replaceChildren(...articles.body.articles.map((a) => el("option", { value: a.id }, a.title)));
  if (stats.status !== 200) return;
  const rate = (summary, language) => {
    const r = summary?.status === 200 ? summary.body.byLanguage?.[language]?.aiResolution?.rate : null;
    return typeof r === "number" ? percent(r) : "–";
  };
  const items = stats.body.languages.map((l) =>
    el(
      "li",
      {},
      t("learningLine", { language: l.language, week: number(l.learnedThisWeek), active: number(l.active), candidates: number(l.candidates) }),
      el("span", { class: "muted" }, ` · ${t("answeredTrend", { day: rate(day, l.language), week: rate(week, l.language) })}`),
    ),
  );
  $("learning").replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, t("noLearning"))]));
}

async function loadGaps() {
  void loadLearning();
  const res = await api(`/v1/admin/kb/gaps?window=7d${state.gapLocale ? `&locale=${state.gapLocale}` : ""}`);
  if (res.status !== 200) return;
  state.gaps = res.body.gaps;
  state.gapsAt = Date.now();
  renderGaps();
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    await refresh();
    if (state.key) schedule();
  }, POLL_MS);
}

async function signIn(key) {
  state.key = key;
  const error = $("signin-error");
  error.hidden = true;
  let access;
  try {
    access = await api("/v1/ops/access");
  } catch {
    error.textContent = t("unreachable");
    error.hidden = false;
    return;
  }
  if (access.status !== 200 || !(access.body.ops || access.body.gaps)) {
    error.textContent = t(access.status === 200 ? "noAccess" : "keyInvalid");
    error.hidden = false;
    state.key = null;
    remember(null);
    return;
  }
  remember(key);
  state.canOps = access.body.ops;
  state.canGaps = access.body.gaps;
  $("signin").hidden = true;
  $("signout").hidden = false;
  $("controls").hidden = !state.canOps;
  $("ops").hidden = !state.canOps;
  $("no-ops").hidden = state.canOps;
  $("gaps").hidden = !state.canGaps;
  document.body.dataset.signedIn = state.canOps ? (state.canGaps ? "ops gaps" : "ops") : "gaps";
  state.gapsAt = 0;
  applyText();
  await refresh();
  schedule();
}

function signOut() {
  clearTimeout(state.timer);
  remember(null);
  for (const c of Object.values(state.charts ?? {})) c.destroy();
  Object.assign(state, { key: null, canOps: false, canGaps: false, charts: null, data: null, gaps: null, updatedAt: null });
  for (const id of ["ops", "gaps", "no-ops", "controls", "signout"]) $(id).hidden = true;
  $("signin").hidden = false;
  $("updated").textContent = "";
  delete document.body.dataset.signedIn;
}

$("signin").addEventListener("submit", (e) => {
  e.preventDefault();
  const key = $("key").value.trim();
  $("key").value = "";
  if (key) void signIn(key);
});
$("signout").addEventListener("click", signOut);
$("lang").addEventListener("click", () => {
  state.lang = state.lang === "zh-CN" ? "en" : "zh-CN";
  saveLanguage(state.lang);
  applyText();
  void refresh();
});
$("region").addEventListener("change", (e) => {
  state.region = e.target.value;
  void refresh();
});
$("window").addEventListener("change", (e) => {
  state.window = e.target.value;
  void refresh();
});
$("gap-locale").addEventListener("change", (e) => {
  state.gapLocale = e.target.value;
  void loadGaps();
});
$("gap-list").addEventListener("click", async (e) => {
  const belongs = e.target.closest("button.belongs-to");
  if (belongs) {
    const input = belongs.parentElement.querySelector("input.belongs-article");
    const articleId = input.value.trim();
    if (!articleId) return input.focus();
    belongs.disabled = true;
    const message = $("gap-message");
    const res = await api(`/v1/admin/kb/gaps/${encodeURIComponent(belongs.dataset.gap)}/belongs`, { method: "POST", body: JSON.stringify({ articleId }), headers: { "Content-Type": "application/json" } }).catch(() => ({ status: 0, body: null }));
    message.textContent = res.status === 200 ? t("belongsDone", { id: articleId }) : t("belongsFailed", { code: res.body?.error?.code ?? res.status });
    message.hidden = false;
    belongs.disabled = false;
    await loadGaps();
    return;
  }
  const button = e.target.closest("button.make-draft");
  if (!button) return;
  button.disabled = true;
  const message = $("gap-message");
  const res = await api(`/v1/admin/kb/gaps/${encodeURIComponent(button.dataset.gap)}/draft`, { method: "POST" }).catch(() => ({ status: 0, body: null }));
  message.textContent = res.status === 201 ? t("draftCreated", { id: res.body.article.id }) : t("draftFailed", { code: res.body?.error?.code ?? res.status });
  message.hidden = false;
  await loadGaps();
});

applyText();
const saved = recalled();
if (saved) void signIn(saved);

// One alert on the ops dashboard: its level, rule and value, and under it the runbook (a link
// when RUNBOOK_BASE_URL is set, else the repository path), the likely cause (its top signal,
// worded in the reader's language from the signal's fields) and what self-repair did.

/**
 * @typedef {(path: string, vars?: Record<string, unknown>) => string} Translate
 * @typedef {{ t: Translate, number: (n: number | null | undefined, digits?: number) => string, percent: (r: number | null | undefined) => string, clock: (ms: number) => string, el: (tag: string, attrs?: Record<string, string | undefined | null>, ...children: Array<Node | string | number>) => HTMLElement, runbookBaseUrl: string | null }} AlertView
 */

/** A signal in words (the dashboard's language); unknown kinds fall back to the hint. */
function signalText(/** @type {Record<string, any>} */ s, /** @type {AlertView} */ v) {
  const { t, number, percent } = v;
  switch (s.kind) {
    case "fault":
      return t("signal.fault", { name: s.name });
    case "breaker":
      return t("signal.breaker", { name: s.name });
    case "release":
      return t("signal.release", { id: s.id, age: number(s.ageMinutes) });
    case "desk":
      return t("signal.desk", { team: s.team, n: number(s.conversations) });
    case "degraded_reason":
      return t("signal.degraded", { share: percent(s.share), reason: t(`degradedReason.${s.reason}`) });
    case "replica":
      return s.failures > 0 ? t("signal.replicaFailing", { replica: s.replica, n: number(s.failures) }) : t("signal.replicaLag", { replica: s.replica, lag: number(s.lagSeconds) });
    case "turn_errors":
      return t("signal.errors", { share: percent(s.share) });
    case "kb_version":
      return t("signal.kbVersion", { version: s.version, age: number(s.ageMinutes) });
    default:
      return null;
  }
}

function cause(/** @type {Record<string, any>} */ a, /** @type {AlertView} */ v) {
  if (a.kind === "reads") return v.t("signal.reads", { operator: a.subject ?? "", n: v.number(a.value), level: v.number(a.threshold) });
  const c = a.likelyCause;
  if (!c) return v.t("causePending");
  const [top, ...rest] = c.signals;
  if (!top) return v.t("noCause");
  const text = signalText(top, v) ?? c.hint;
  return rest.length ? `${text} ${v.t("moreSignals", { n: rest.length })}` : text;
}

function remediation(/** @type {Record<string, any>} */ a, /** @type {AlertView} */ v) {
  const steps = a.remediation ?? [];
  if (!steps.length) return v.t("remediationNone");
  return steps.map((/** @type {Record<string, any>} */ s) => `${v.t(`action.${s.action}`)} ${s.target} · ${v.t(`result.${s.result}`)}${s.detail ? ` (${s.detail})` : ""}`).join("; ");
}

function runbook(/** @type {string} */ path, /** @type {AlertView} */ v) {
  const base = v.runbookBaseUrl;
  return base ? v.el("a", { href: `${base}${base.endsWith("/") ? "" : "/"}${path}`, target: "_blank", rel: "noopener" }, path) : v.el("code", {}, path);
}

/** The list item of an alert (open or resolved). */
export function alertItem(/** @type {Record<string, any>} */ a, /** @type {AlertView} */ v) {
  const { t, number, clock, el } = v;
  const value = a.kind === "anomaly" ? `z=${number(a.value, 2)}` : number(a.value, 3);
  const rule = a.subject ? `${a.ruleId} (${a.subject})` : a.ruleId;
  const detail = (/** @type {string} */ label, /** @type {Node | string} */ content, /** @type {string} */ name) => el("div", { class: `alert-detail ${name}` }, el("span", { class: "muted" }, `${label}: `), content);
  return el(
    "li",
    { class: `alert ${a.resolvedAt ? "resolved" : a.level}`, "data-alert": a.id },
    el("span", { class: "badge" }, a.resolvedAt ? t("resolved") : t(`level.${a.level}`)),
    el("span", {}, t("alertLine", { rule, region: a.region, value, threshold: number(a.threshold, 3) })),
    el("span", { class: "muted" }, t("since", { time: clock(a.firedAt) })),
    detail(t("likelyCause"), cause(a, v), "cause"),
    detail(t("remediation"), remediation(a, v), "remediation"),
    detail(t("runbook"), runbook(a.runbook, v), "runbook"),
  );
}

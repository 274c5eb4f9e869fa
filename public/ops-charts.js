// The dashboard's charts: uPlot line charts (vendored, public/vendor/uplot) that follow their
// container's width. uPlot styles its elements from script (the CSSOM), which the page's
// Content-Security-Policy allows; nothing here writes inline style attributes in markup.

const HEIGHT = 190;

/** Tick steps for counts: whole numbers only. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000];

/**
 * A line chart in `el`. `lines`: [{ label, color, scale }]; `scales`: uPlot scales by name
 * (the time axis is added); `counts`: whole-number ticks. `format(v)`
 * writes the y values. Points are drawn too, so a lone minute with data shows.
 */
export function lineChart(el, { lines, scales = {}, counts = false, format = (v) => String(v), locale }) {
  const uPlot = window.uPlot;
  const timeFormat = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const axes = [{ space: 64, values: (_u, ticks) => ticks.map((t) => timeFormat.format(new Date(t * 1000))), stroke: "#5b6576", grid: { stroke: "#eceff3" } }];
  const used = [...new Set(lines.map((l) => l.scale ?? "y"))];
  used.forEach((scale, i) => axes.push({ scale, side: i === 0 ? 3 : 1, size: 56, stroke: "#5b6576", grid: { show: i === 0, stroke: "#eceff3" }, ...(counts ? { incrs: COUNT_STEPS } : {}), values: (_u, ticks) => ticks.map(format) }));
  const options = {
    width: Math.max(240, el.clientWidth),
    height: HEIGHT,
    scales: { x: { time: true }, ...Object.fromEntries(used.map((s) => [s, { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1) * 1.1], ...(scales[s] ?? {}) }])) },
    series: [{ value: (_u, v) => (v === null ? "–" : timeFormat.format(new Date(v * 1000))) }, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, scale: l.scale ?? "y", points: { show: true, size: 5, fill: l.color }, value: (_u, v) => (v === null || v === undefined ? "–" : format(v)) }))],
    axes,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  let plot = new uPlot(options, [[], ...lines.map(() => [])], el);
  const resize = () => plot.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT });
  window.addEventListener("resize", resize);
  return {
    update(xs, ys) {
      plot.setData([xs, ...ys]);
    },
    destroy() {
      window.removeEventListener("resize", resize);
      plot.destroy();
      plot = null;
    },
  };
}

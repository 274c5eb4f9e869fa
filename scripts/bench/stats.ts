// Latency statistics for the benchmark: percentiles over recorded samples.

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  perSecond: number;
}

/** The p-th percentile (0-100) by nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Summarises samples (ms) taken over `wallMs` of wall-clock time. */
export function summarise(samples: number[], wallMs: number): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean, perSecond: (sorted.length / wallMs) * 1000 };
}

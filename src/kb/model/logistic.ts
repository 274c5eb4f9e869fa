// Logistic regression by gradient descent for a handful of features: enough to turn raw
// classifier scores into probabilities.

export interface LabelledPoint {
  x: number[];
  y: boolean;
  /** How much the point counts (default 1). */
  weight?: number;
}

/**
 * Weights [bias, w1, w2, …], L2-regularised towards `prior` (zero by default) so that a
 * separable set stays finite and a small one stays near what is already known.
 */
export function fitLogistic(points: LabelledPoint[], iterations = 3_000, rate = 0.5, l2 = 1e-3, prior?: number[]): number[] {
  const d = points[0]?.x.length ?? 0;
  const center = prior ?? new Array<number>(d + 1).fill(0);
  const w = [...center];
  if (!points.length) return w;
  const total = points.reduce((s, p) => s + (p.weight ?? 1), 0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d + 1).fill(0);
    for (const p of points) {
      let z = w[0]!;
      for (let k = 0; k < d; k++) z += w[k + 1]! * p.x[k]!;
      const err = (1 / (1 + Math.exp(-z)) - (p.y ? 1 : 0)) * (p.weight ?? 1);
      g[0]! += err;
      for (let k = 0; k < d; k++) g[k + 1]! += err * p.x[k]!;
    }
    for (let k = 0; k <= d; k++) w[k]! -= (rate * g[k]!) / total + (prior || k ? l2 * (w[k]! - center[k]!) : 0);
  }
  return w;
}

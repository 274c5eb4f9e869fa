// Logistic regression by gradient descent for a handful of features: enough to turn raw
// classifier scores into probabilities.

export interface LabelledPoint {
  x: number[];
  y: boolean;
}

/** Weights [bias, w1, w2, …], lightly L2-regularised so a separable set stays finite. */
export function fitLogistic(points: LabelledPoint[], iterations = 3_000, rate = 0.5, l2 = 1e-3): number[] {
  const d = points[0]?.x.length ?? 0;
  const w = new Array<number>(d + 1).fill(0);
  if (!points.length) return w;
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(d + 1).fill(0);
    for (const p of points) {
      let z = w[0]!;
      for (let k = 0; k < d; k++) z += w[k + 1]! * p.x[k]!;
      const err = 1 / (1 + Math.exp(-z)) - (p.y ? 1 : 0);
      g[0]! += err;
      for (let k = 0; k < d; k++) g[k + 1]! += err * p.x[k]!;
    }
    for (let k = 0; k <= d; k++) w[k]! -= (rate * g[k]!) / points.length + (k ? l2 * w[k]! : 0);
  }
  return w;
}

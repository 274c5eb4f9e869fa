// `npm run eval -- --memory`: how much memory the replica's training takes, against a
// Durable Object's 128 MB (docs/scaling.md). Sampled where training pauses (between classes
// and folds), after a full collection, as the V8 heap plus array buffers over what the process
// held before the replica was built. The replica's SQLite lives outside both, as in workerd.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** MB of heap and array buffers still referenced: after a full collection. */
function live(gc: () => void): number {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1e6;
}

export class MemorySampler {
  private readonly gc: () => void;
  private readonly base: number;
  private highest = 0;

  constructor() {
    setFlagsFromString("--expose-gc");
    this.gc = runInNewContext("gc") as () => void;
    this.base = live(this.gc);
  }

  /** The pause the replica's engine awaits while it trains. */
  readonly pause = async (): Promise<void> => {
    this.highest = Math.max(this.highest, this.now());
  };

  /** MB held now over the baseline. */
  now(): number {
    return live(this.gc) - this.base;
  }

  /** The most held at any pause so far, MB over the baseline. */
  peak(): number {
    return this.highest;
  }
}

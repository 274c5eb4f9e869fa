// Circuit breakers for the dependencies a turn calls (the region's replica, the LLM, the KB
// primary): closed → open after consecutive failures or timeouts → half-open after a
// cool-down, when one probe decides → closed again or open again. An open breaker fails
// fast, so a broken dependency costs a turn nothing. Breakers live per isolate.

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long an open breaker waits before letting a probe through. */
  coolDownMs: number;
}

/** Thrown, without calling the dependency, while a breaker is open. */
export class BreakerOpenError extends Error {
  readonly breaker: string;
  constructor(breaker: string) {
    super(`circuit ${breaker} is open`);
    this.name = "BreakerOpenError";
    this.breaker = breaker;
  }
}

/** Thrown when a call outlives its time limit. */
export class TimeoutError extends Error {
  constructor(what: string) {
    super(`${what} timed out`);
    this.name = "TimeoutError";
  }
}

/** Rejects with TimeoutError once `ms` pass (the work itself cannot be cancelled). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (!Number.isFinite(ms)) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what)), Math.max(0, ms));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class CircuitBreaker {
  readonly name: string;
  private readonly options: BreakerOptions;
  private readonly now: () => number;
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(name: string, options: BreakerOptions, now: () => number = Date.now) {
    this.name = name;
    this.options = options;
    this.now = now;
  }

  get state(): BreakerState {
    if (this.openedAt === null) return "closed";
    return this.now() - this.openedAt >= this.options.coolDownMs ? "half_open" : "open";
  }

  /** When the breaker last opened, if it is not closed. */
  get since(): number | null {
    return this.openedAt;
  }

  /** Runs `call` through the breaker, failing it after `timeoutMs`. */
  async run<T>(call: () => Promise<T>, timeoutMs = Infinity): Promise<T> {
    this.begin();
    try {
      const result = await withTimeout(call(), timeoutMs, this.name);
      this.succeeded();
      return result;
    } catch (err) {
      this.failed();
      throw err;
    }
  }

  /** Starts a call made outside run() (a stream); throws BreakerOpenError when not allowed. */
  begin(): void {
    const state = this.state;
    if (state === "open" || (state === "half_open" && this.probing)) throw new BreakerOpenError(this.name);
    if (state === "half_open") this.probing = true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failed(): void {
    this.failures++;
    if (this.probing || this.failures >= this.options.failures) this.openedAt = this.now();
    this.probing = false;
  }
}

/** The isolate's breakers, by name. */
export class Breakers {
  private readonly all = new Map<string, CircuitBreaker>();
  private readonly options: BreakerOptions;
  private readonly now: () => number;

  constructor(options: BreakerOptions, now: () => number = Date.now) {
    this.options = options;
    this.now = now;
  }

  get(name: string): CircuitBreaker {
    let breaker = this.all.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker(name, this.options, this.now);
      this.all.set(name, breaker);
    }
    return breaker;
  }

  /** Every breaker's state, for /readyz and reply metadata. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.all].map(([name, b]) => [name, b.state]));
  }
}

let shared: Breakers | null = null;

/** The breakers shared by everything running in this isolate. */
export function isolateBreakers(options: BreakerOptions): Breakers {
  shared ??= new Breakers(options);
  return shared;
}

// The benchmark's results file, section by section: each section's figures are printed and
// written to bench/results/<date>.json as soon as it finishes, so a later section's failure
// (or the Worker going down) loses nothing measured before it. A failed section is kept in
// the file with its error, and the run ends non-zero.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type SectionOutcome = { status: "ok"; seconds: number; figures: unknown } | { status: "failed"; seconds: number; error: string; diagnosis?: string };

export interface ReportOptions {
  /** What the run was (date, mode, Node version…): written at the top of the file. */
  meta: Record<string, unknown>;
  /** Extra words for a failure (e.g. the Worker's last output), kept beside the error. */
  diagnose?: () => string | null;
  /** Where the section's lines go; console.log by default. */
  log?: (line: string) => void;
}

/** An error and its causes in one line: `fetch failed: other side closed`. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const error = e as { name?: unknown; message?: unknown; code?: unknown };
    const text = typeof error.message === "string" ? error.message : String(e);
    parts.push(typeof error.code === "string" && !text.includes(error.code) ? `${text} (${error.code})` : text);
  }
  return parts.join(": ");
}

export class BenchReport {
  readonly file: string;
  readonly sections: Record<string, SectionOutcome> = {};
  private readonly options: ReportOptions;

  constructor(file: string, options: ReportOptions) {
    this.file = file;
    this.options = options;
  }

  /**
   * Runs a section: its figures are recorded and written before `print` shows them; a throw
   * is recorded as the section's failure (and written), and the run goes on with the next.
   */
  async section<T>(name: string, measure: () => Promise<T>, print: (figures: T) => void): Promise<T | null> {
    const log = this.options.log ?? console.log;
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 100) / 10;
    let figures: T;
    try {
      figures = await measure();
    } catch (err) {
      const diagnosis = this.options.diagnose?.() ?? undefined;
      this.sections[name] = { status: "failed", seconds: seconds(), error: describeError(err), ...(diagnosis ? { diagnosis } : {}) };
      this.write();
      log(`\n✘ ${name}: FAILED after ${seconds()} s: ${describeError(err)}${diagnosis ? `\n${diagnosis}` : ""}`);
      return null;
    }
    this.sections[name] = { status: "ok", seconds: seconds(), figures };
    this.write();
    print(figures);
    return figures;
  }

  /** The sections that failed, in order. */
  failed(): string[] {
    return Object.entries(this.sections)
      .filter(([, s]) => s.status === "failed")
      .map(([name]) => name);
  }

  /** Writes everything recorded so far (the file is rewritten whole after every section). */
  write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const failed = this.failed();
    writeFileSync(this.file, JSON.stringify({ ...this.options.meta, ok: failed.length === 0, failed, sections: this.sections }, null, 2));
  }
}

// Runs async jobs one at a time in arrival order, so that a conversation's turns never
// interleave even though each turn awaits the answerer.

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private size = 0;

  /** Schedules `job` after every job already queued; resolves with its result. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.size++;
    const result = this.tail.then(job);
    this.tail = result.then(
      () => this.size--,
      () => this.size--,
    );
    return result;
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.size;
  }
}

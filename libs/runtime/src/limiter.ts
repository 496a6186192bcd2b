/**
 * A concurrency limit that can change while tasks run. Lowering it never
 * interrupts running work; new work waits until in-flight drops below it.
 */
export class ConcurrencyLimiter {
  #limit: number;
  #inFlight = 0;
  #waiters: Array<() => void> = [];
  readonly #listeners = new Set<() => void>();

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Slots free right now (0 when at or over the limit). */
  get free(): number {
    return Math.max(0, this.#limit - this.#inFlight);
  }

  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#wake();
  }

  /** Takes a slot without waiting; the caller checked `free` first. */
  take(): void {
    this.#inFlight += 1;
  }

  release(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    this.#wake();
  }

  /**
   * Resolves when at least one slot is free. Waits again after every wake-up
   * that found none (a lowered limit wakes waiters too): a pull asking for 0
   * messages would get the client's default batch instead.
   */
  async whenFree(): Promise<void> {
    while (this.free === 0) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves when nothing is in flight. */
  async whenIdle(): Promise<void> {
    while (this.#inFlight > 0) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Calls `listener` whenever a slot is released or the limit changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #wake(): void {
    for (const listener of this.#listeners) listener();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Latencies seen since the last snapshot, for the metrics bus's p50/p99. */
export class LatencyWindow {
  #samples: number[] = [];
  readonly #cap: number;

  constructor(cap = 10_000) {
    this.#cap = cap;
  }

  add(ms: number): void {
    if (this.#samples.length < this.#cap) this.#samples.push(ms);
    else this.#samples[Math.floor(Math.random() * this.#cap)] = ms;
  }

  /** Percentiles of the window, then a fresh window. */
  takePercentiles(): { p50: number; p99: number; count: number } {
    const sorted = this.#samples.sort((a, b) => a - b);
    this.#samples = [];
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), count: sorted.length };
  }
}

/** Nearest-rank percentile of an ascending array, `q` a fraction (0.99 for p99); 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

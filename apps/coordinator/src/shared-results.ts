/**
 * Results of shareable calls (same tool, same arguments) kept for a short
 * time, so identical calls from other workflows reuse them instead of
 * running. Bounded: the oldest entries go first.
 */
export class SharedResults {
  readonly #entries = new Map<string, { output: Record<string, unknown>; expiresAtMs: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string): Record<string, unknown> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.output;
  }

  set(key: string, output: Record<string, unknown>): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { output, expiresAtMs: Date.now() + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

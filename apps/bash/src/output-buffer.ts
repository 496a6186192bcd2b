/** Keeps the first `cap` bytes of a stream and counts the rest. */
export class OutputBuffer {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;
  readonly #cap: number;

  constructor(cap: number) {
    this.#cap = cap;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    const room = this.#cap - this.#kept;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#kept += kept.length;
  }

  get truncated(): boolean {
    return this.#total > this.#kept;
  }

  get totalBytes(): number {
    return this.#total;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}

import type { WorkflowRun } from "../workflow/run.js";

/**
 * The workflows this coordinator holds in memory. Insertion order is not
 * creation order (resumed runs and finished runs read back from the store
 * arrive late), so listing sorts by creation time instead of trusting the map.
 */
export class RunRegistry {
  readonly #runs = new Map<string, WorkflowRun>();

  constructor(private readonly keep: number) {}

  get(id: string): WorkflowRun | undefined {
    return this.#runs.get(id);
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  add(run: WorkflowRun): void {
    this.#runs.set(run.id, run);
  }

  values(): IterableIterator<WorkflowRun> {
    return this.#runs.values();
  }

  /** Newest first, as ListWorkflows promises. */
  list(limit: number): WorkflowRun[] {
    return [...this.#runs.values()].sort((a, b) => b.createdAtMs - a.createdAtMs).slice(0, limit);
  }

  /** Keeps memory bounded: forgets the oldest finished workflows. */
  evictFinished(): void {
    if (this.#runs.size <= this.keep) return;
    const oldestFirst = [...this.#runs.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
    for (const run of oldestFirst) {
      if (this.#runs.size <= this.keep) break;
      if (run.done) this.#runs.delete(run.id);
    }
  }
}

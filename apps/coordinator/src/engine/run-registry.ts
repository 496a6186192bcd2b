import type { WorkflowRun } from "../workflow/run.js";

/**
 * The workflows this coordinator holds in memory, kept in creation order so
 * that eviction (on every submit) walks from the oldest without sorting.
 * Runs nearly always arrive in that order; the few that do not (resumed runs,
 * finished runs read back from the store) mark the map for one re-sort.
 */
export class RunRegistry {
  #runs = new Map<string, WorkflowRun>();
  #newestMs = -Infinity;
  #inOrder = true;

  constructor(private readonly keep: number) {}

  get(id: string): WorkflowRun | undefined {
    return this.#runs.get(id);
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  add(run: WorkflowRun): void {
    this.#runs.set(run.id, run);
    if (run.createdAtMs < this.#newestMs) this.#inOrder = false;
    else this.#newestMs = run.createdAtMs;
  }

  /** Forgets a run (one of a partition this coordinator gave up). */
  delete(id: string): void {
    this.#runs.delete(id);
  }

  values(): IterableIterator<WorkflowRun> {
    return this.#runs.values();
  }

  /** Newest first, as ListWorkflows promises. */
  list(limit: number): WorkflowRun[] {
    return [...this.#oldestFirst()].reverse().slice(0, limit);
  }

  /** Keeps memory bounded: forgets the oldest finished workflows. */
  evictFinished(): void {
    if (this.#runs.size <= this.keep) return;
    for (const run of this.#oldestFirst()) {
      if (this.#runs.size <= this.keep) break;
      if (run.done) this.#runs.delete(run.id);
    }
  }

  #oldestFirst(): IterableIterator<WorkflowRun> {
    if (!this.#inOrder) {
      this.#runs = new Map([...this.#runs].sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs));
      this.#inOrder = true;
    }
    return this.#runs.values();
  }
}

import type { WorkflowRun } from "../workflow/run.js";

/**
 * The workflows this coordinator holds in memory, kept in creation order so
 * that eviction (on every submit) walks from the oldest without sorting.
 * Runs nearly always arrive in that order; the few that do not (resumed runs,
 * finished runs read back from the store) mark the map for one re-sort.
 * Finished runs are kept up to `keep` runs and `keepTasks` task records in
 * all (a finished run is whole in KV, so an evicted one is read back there).
 */
export class RunRegistry {
  #runs = new Map<string, WorkflowRun>();
  #newestMs = -Infinity;
  #inOrder = true;
  /** Task records held by finished runs. */
  #finishedTasks = 0;

  constructor(
    private readonly keep: number,
    private readonly keepTasks = Infinity,
  ) {}

  get(id: string): WorkflowRun | undefined {
    return this.#runs.get(id);
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  add(run: WorkflowRun): void {
    const had = this.#runs.get(run.id);
    if (had?.done) this.#finishedTasks -= had.tasks.size;
    if (run.done) this.#finishedTasks += run.tasks.size;
    this.#runs.set(run.id, run);
    if (run.createdAtMs < this.#newestMs) this.#inOrder = false;
    else this.#newestMs = run.createdAtMs;
  }

  /** Forgets a run (one of a partition this coordinator gave up). */
  delete(id: string): void {
    const run = this.#runs.get(id);
    if (run?.done) this.#finishedTasks -= run.tasks.size;
    this.#runs.delete(id);
  }

  /** A run held here reached its terminal state: it counts against keepTasks. */
  finished(run: WorkflowRun): void {
    if (this.#runs.get(run.id) === run) this.#finishedTasks += run.tasks.size;
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
    const over = (): boolean => this.#runs.size > this.keep || this.#finishedTasks > this.keepTasks;
    if (!over()) return;
    for (const run of this.#oldestFirst()) {
      if (!over()) break;
      if (!run.done) continue;
      this.#runs.delete(run.id);
      this.#finishedTasks -= run.tasks.size;
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

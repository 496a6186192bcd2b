import type { WorkflowRun } from "../workflow/run.js";
import { runBytes } from "./memory-bounds.js";

/** What the finished runs held in a RunRegistry cost in all. */
export interface RetainedRuns {
  runs: number;
  tasks: number;
  /** Estimated heap bytes (runBytes). */
  bytes: number;
}

/**
 * The workflows this coordinator holds in memory, kept in creation order so
 * that eviction (on every submit) walks from the oldest without sorting.
 * Runs nearly always arrive in that order; the few that do not (resumed runs,
 * finished runs read back from the store) mark the map for one re-sort.
 * Finished runs are kept up to `keep` runs, `keepTasks` task records and
 * `keepBytes` estimated bytes in all (a finished run is whole in KV, so an
 * evicted one is read back there): by count alone, 5,000 task records with
 * outputs of up to 256 KiB each could hold a gigabyte.
 */
export class RunRegistry {
  #runs = new Map<string, WorkflowRun>();
  #newestMs = -Infinity;
  #inOrder = true;
  /** What each finished run held here costs, measured once when it finished or came in finished. */
  readonly #finished = new Map<string, { tasks: number; bytes: number }>();
  #finishedTasks = 0;
  #finishedBytes = 0;

  constructor(
    private readonly keep: number,
    private readonly keepTasks = Infinity,
    private readonly keepBytes = Infinity,
  ) {}

  get(id: string): WorkflowRun | undefined {
    return this.#runs.get(id);
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  /**
   * A run submitted or resumed here, or a finished one read back from the
   * store; no submit evicts for the latter (GetWorkflow over many old ids),
   * so adding it evicts at once.
   */
  add(run: WorkflowRun): void {
    this.#uncount(run.id);
    this.#runs.set(run.id, run);
    if (run.createdAtMs < this.#newestMs) this.#inOrder = false;
    else this.#newestMs = run.createdAtMs;
    if (!run.done) return;
    this.#count(run);
    this.evictFinished();
  }

  /** Forgets a run (one of a partition this coordinator gave up). */
  delete(id: string): void {
    this.#uncount(id);
    this.#runs.delete(id);
  }

  /** A run held here reached its terminal state: it counts against keepTasks and keepBytes. */
  finished(run: WorkflowRun): void {
    if (this.#runs.get(run.id) === run) this.#count(run);
  }

  /** The finished runs held now and what they cost. */
  get retained(): RetainedRuns {
    return { runs: this.#finished.size, tasks: this.#finishedTasks, bytes: this.#finishedBytes };
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
    const over = (): boolean => this.#runs.size > this.keep || this.#finishedTasks > this.keepTasks || this.#finishedBytes > this.keepBytes;
    if (!over()) return;
    for (const run of this.#oldestFirst()) {
      if (!over()) break;
      if (run.done) this.delete(run.id);
    }
  }

  #count(run: WorkflowRun): void {
    this.#uncount(run.id);
    const cost = { tasks: run.tasks.size, bytes: runBytes(run) };
    this.#finished.set(run.id, cost);
    this.#finishedTasks += cost.tasks;
    this.#finishedBytes += cost.bytes;
  }

  #uncount(id: string): void {
    const cost = this.#finished.get(id);
    if (!cost) return;
    this.#finished.delete(id);
    this.#finishedTasks -= cost.tasks;
    this.#finishedBytes -= cost.bytes;
  }

  #oldestFirst(): IterableIterator<WorkflowRun> {
    if (!this.#inOrder) {
      this.#runs = new Map([...this.#runs].sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs));
      this.#inOrder = true;
    }
    return this.#runs.values();
  }
}

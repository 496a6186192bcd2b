import { isInFlight, type TaskRecord } from "./task-record.js";

/** An attempt in flight this long is written to KV (a checkpoint), so a successor does not send it again outside the duplicate window. */
export const CHECKPOINT_AFTER_MS = 2000;

/**
 * What of a run must be written to KV next (docs/architecture.md,
 * "Durability and failover"): the tasks whose state changed in a way a
 * successor could not derive — a terminal state, a retry waiting out its
 * backoff, an expansion — and attempts in flight for longer than
 * CHECKPOINT_AFTER_MS. A task not yet dispatched, or dispatched only a moment
 * ago, is derivable from the spec and its dependencies' stored outcomes: it
 * goes again on resume under the same attempt number and message id.
 */
export class PendingWrites {
  /** Task ids in the order they changed (a fan-out's items before the fan-out that lists them). */
  #tasks = new Set<string>();
  /** Attempts handed to their pool, oldest first: [taskId, attempt, releasedAtMs]. */
  #released: Array<[string, number, number]> = [];
  #head = 0;

  /** The task's state must be stored (again); it moves to the end of the write order. */
  task(id: string): void {
    this.#tasks.delete(id);
    this.#tasks.add(id);
  }

  /** An attempt left the coordinator at `atMs`. */
  released(id: string, attempt: number, atMs: number): void {
    this.#released.push([id, attempt, atMs]);
  }

  /**
   * Attempts released at or before `beforeMs` and still under way become
   * writes. Returns whether attempts are left to watch.
   */
  checkpoint(beforeMs: number, taskOf: (id: string) => TaskRecord | undefined): boolean {
    const released = this.#released;
    while (this.#head < released.length && released[this.#head]![2] <= beforeMs) {
      const [id, attempt] = released[this.#head]!;
      this.#head += 1;
      const task = taskOf(id);
      if (task && task.attempt === attempt && isInFlight(task)) this.task(id);
    }
    if (this.#head > 1024 && this.#head * 2 > released.length) {
      this.#released = released.slice(this.#head);
      this.#head = 0;
    }
    return this.#head < this.#released.length;
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** The ids to write now, in order; the set starts over. */
  take(): string[] {
    const ids = [...this.#tasks];
    this.#tasks.clear();
    return ids;
  }

  /** Ids whose write failed: written again on the next save, before anything marked since. */
  putBack(ids: readonly string[]): void {
    const later = this.#tasks;
    this.#tasks = new Set(ids);
    for (const id of later) this.task(id);
  }

  /** Nothing is written for a finished run any more, and no attempt is watched. */
  forgetReleased(): void {
    this.#released = [];
    this.#head = 0;
  }
}

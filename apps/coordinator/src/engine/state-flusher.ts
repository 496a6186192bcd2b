import type { JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";
import { setTimeout as sleep } from "node:timers/promises";
import type { WorkflowStore } from "../store/workflow-store.js";
import { CHECKPOINT_AFTER_MS } from "../workflow/pending-writes.js";
import type { WorkflowRun } from "../workflow/run.js";

export interface StateFlusherOptions {
  store: Pick<WorkflowStore, "save">;
  log: Logger;
  /** Consecutive failed saves before the unsaved workflows are cancelled. */
  maxFailures?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  /** How often attempts in flight are looked at for a checkpoint (0: only when checkpoint() is called). */
  checkpointEveryMs?: number;
  now?: () => number;
  /** Whether this coordinator still runs `run` (its partition may have moved on): runs it does not are checkpointed no more. */
  owns?: (run: WorkflowRun) => boolean;
}

/**
 * Stores changed runs in batches and acks the results that changed them
 * only once those saves landed, so a coordinator that dies in between
 * leaves the results in TM_RESULTS for its successor. What a save writes is
 * what each run marked (WorkflowRun.writes); once a second, attempts in flight
 * longer than CHECKPOINT_AFTER_MS are marked too (a checkpoint).
 */
export class StateFlusher {
  readonly #dirty = new Set<WorkflowRun>();
  /** Unfinished runs that may have attempts in flight to checkpoint. */
  readonly #live = new Set<WorkflowRun>();
  #checkpointTimer?: NodeJS.Timeout;
  readonly #pendingAcks: JsMsg[] = [];
  #flushing?: Promise<void>;
  #flushAgain = false;
  #failures = 0;
  readonly #opts: Required<StateFlusherOptions>;

  constructor(options: StateFlusherOptions) {
    this.#opts = {
      maxFailures: 8,
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      sleep,
      checkpointEveryMs: 1000,
      now: Date.now,
      owns: () => true,
      ...options,
    };
  }

  changed(run: WorkflowRun): void {
    this.#dirty.add(run);
    if (!run.done && !this.#live.has(run) && this.#opts.owns(run)) {
      this.#live.add(run);
      this.#armCheckpoints();
    }
    this.schedule();
  }

  /** Marks the attempts in flight longer than CHECKPOINT_AFTER_MS for writing, and saves them. */
  checkpoint(): void {
    const before = this.#opts.now() - CHECKPOINT_AFTER_MS;
    for (const run of this.#live) {
      if (run.done || !this.#opts.owns(run)) {
        this.#live.delete(run);
        continue;
      }
      run.writes.checkpoint(before, (id) => run.tasks.get(id));
      if (run.writes.size > 0) this.#dirty.add(run);
    }
    if (this.#dirty.size > 0) this.schedule();
  }

  /** Stops the checkpoint timer (a flush under way still ends: see idle). */
  close(): void {
    clearInterval(this.#checkpointTimer);
    this.#checkpointTimer = undefined;
  }

  #armCheckpoints(): void {
    if (this.#checkpointTimer || this.#opts.checkpointEveryMs <= 0) return;
    this.#checkpointTimer = setInterval(() => {
      this.checkpoint();
      if (this.#live.size === 0) this.close();
    }, this.#opts.checkpointEveryMs);
    this.#checkpointTimer.unref();
  }

  ackAfterSave(msg: JsMsg): void {
    this.#pendingAcks.push(msg);
    this.schedule();
  }

  /** Resolves once the flush in progress (if any) has ended. */
  get idle(): Promise<void> {
    return this.#flushing ?? Promise.resolve();
  }

  schedule(): void {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#flush())
      .finally(() => {
        this.#flushing = undefined;
        if (this.#flushAgain) {
          this.#flushAgain = false;
          this.schedule();
        }
      });
  }

  async #flush(): Promise<void> {
    const runs = [...this.#dirty];
    this.#dirty.clear();
    const acks = this.#pendingAcks.splice(0);
    if (runs.length === 0 && acks.length === 0) return;
    try {
      await Promise.all(runs.map((run) => this.#opts.store.save(run)));
      this.#failures = 0;
      for (const msg of acks) msg.ack();
    } catch (err) {
      this.#failures++;
      if (this.#failures >= this.#opts.maxFailures) {
        this.#giveUp(runs, err);
        return;
      }
      const delay = Math.min(this.#opts.maxBackoffMs, this.#opts.initialBackoffMs * 2 ** (this.#failures - 1));
      this.#opts.log.warn(
        { err, failures: this.#failures, retryInMs: delay },
        "could not store workflow state; retrying before acking results",
      );
      for (const run of runs) this.#dirty.add(run);
      this.#pendingAcks.unshift(...acks);
      await this.#opts.sleep(delay);
      this.#flushAgain = true;
    }
  }

  /**
   * A workflow whose state cannot be stored must not keep dispatching work
   * a successor would not know of, so it is cancelled with the reason. The
   * results waiting on the save stay unacked: JetStream redelivers them to
   * whichever coordinator leads once the store is back.
   */
  #giveUp(runs: WorkflowRun[], err: unknown): void {
    const failures = this.#failures;
    this.#failures = 0;
    this.#opts.log.error(
      { err, failures, workflows: runs.map((r) => r.id) },
      "could not store workflow state; cancelling the unsaved workflows",
    );
    for (const run of runs)
      if (!run.done)
        run.cancel(`workflow state could not be stored after ${failures} attempts: ${err instanceof Error ? err.message : String(err)}`);
  }
}

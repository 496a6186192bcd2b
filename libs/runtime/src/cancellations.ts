import { ErrorCode, ToolError, type CancelCommand, type TaskMessage } from "@toolmesh/core";

/** Why a running task was aborted; becomes the result's error. */
export class AbortReason extends ToolError {}

/**
 * A running attempt's abort. Most calls finish without anyone asking for
 * their signal, so the AbortController is made only when the handler reads
 * `signal` (already aborted, when the abort came first); the runner's own
 * wait for an abort is one callback, not a listener on a signal.
 */
export class AttemptAbort {
  #controller?: AbortController;
  #reason: unknown;
  #aborted = false;
  /** Called once when aborted (the runner's race against its handler). */
  onAbort?: (reason: unknown) => void;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.onAbort?.(reason);
  }
}

/** A deadline closer than this gets its own timer at the next sweep (the sweep runs every 100 ms). */
const ARM_AHEAD_MS = 250;

interface Running {
  task: TaskMessage;
  abort: AttemptAbort;
  /** In-progress ack of the task's message (JsMsg.working). */
  beat?: () => void;
  beatAtMs: number;
  timer?: NodeJS.Timeout;
}

const deadlineExceeded = (): AbortReason => new AbortReason(ErrorCode.DEADLINE_EXCEEDED, "timed out after its deadline");

/**
 * The tasks this worker is running, by workflow, and the workflows cancelled
 * recently (so a task of a cancelled workflow still in the queue is not run).
 * One sweep (tick) heartbeats them all and arms a deadline timer only for a
 * task whose deadline is near: a call that finishes in milliseconds costs no
 * timer at all.
 */
export class RunningTasks {
  readonly #running = new Map<string, Running>();
  readonly #cancelledWorkflows = new Map<string, number>();
  readonly #rememberMs: number;

  constructor(rememberMs = 10 * 60_000) {
    this.#rememberMs = rememberMs;
  }

  get size(): number {
    return this.#running.size;
  }

  add(key: string, task: TaskMessage, abort: AttemptAbort, beat?: () => void): void {
    const entry: Running = { task, abort, beatAtMs: Date.now(), ...(beat ? { beat } : {}) };
    this.#running.set(key, entry);
    if (this.isCancelled(task.workflowId)) {
      abort.abort(new AbortReason(ErrorCode.CANCELLED, "workflow was cancelled"));
    }
    this.#armIfNear(entry, entry.beatAtMs);
  }

  delete(key: string): void {
    const entry = this.#running.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#running.delete(key);
  }

  /** Heartbeats the tasks not heartbeaten for `heartbeatMs`; arms the timers of deadlines now near. */
  tick(nowMs: number, heartbeatMs: number): void {
    for (const entry of this.#running.values()) {
      if (entry.beat && nowMs - entry.beatAtMs >= heartbeatMs) {
        entry.beatAtMs = nowMs;
        entry.beat();
      }
      this.#armIfNear(entry, nowMs);
    }
  }

  isCancelled(workflowId: string): boolean {
    const at = this.#cancelledWorkflows.get(workflowId);
    return at !== undefined && Date.now() - at < this.#rememberMs;
  }

  /** Aborts the matching running tasks; returns how many. */
  cancel(command: CancelCommand): number {
    if (!command.taskId) {
      this.#cancelledWorkflows.set(command.workflowId, Date.now());
      this.#prune();
    }
    let aborted = 0;
    for (const { task, abort } of this.#running.values()) {
      if (task.workflowId !== command.workflowId) continue;
      if (command.taskId && task.taskId !== command.taskId) continue;
      abort.abort(new AbortReason(ErrorCode.CANCELLED, `cancelled: ${command.reason}`));
      aborted += 1;
    }
    return aborted;
  }

  /** Aborts everything (shutdown past its grace period). */
  abortAll(reason: string): void {
    for (const { abort } of this.#running.values()) abort.abort(new AbortReason(ErrorCode.UNAVAILABLE, reason));
  }

  #armIfNear(entry: Running, nowMs: number): void {
    if (entry.timer || entry.abort.aborted) return;
    const remaining = entry.task.deadlineMs - nowMs;
    if (remaining > ARM_AHEAD_MS) return;
    entry.timer = setTimeout(() => entry.abort.abort(deadlineExceeded()), Math.max(0, remaining));
  }

  #prune(): void {
    if (this.#cancelledWorkflows.size < 10_000) return;
    const cutoff = Date.now() - this.#rememberMs;
    for (const [id, at] of this.#cancelledWorkflows) if (at < cutoff) this.#cancelledWorkflows.delete(id);
  }
}

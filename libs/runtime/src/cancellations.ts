import { ErrorCode, type CancelCommand, type TaskMessage } from "@toolmesh/core";
import { AbortReason } from "./task-runner.js";

interface Running {
  task: TaskMessage;
  controller: AbortController;
}

/**
 * The tasks this worker is running, by workflow, and the workflows cancelled
 * recently (so a task of a cancelled workflow still in the queue is not run).
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

  add(key: string, task: TaskMessage, controller: AbortController): void {
    this.#running.set(key, { task, controller });
    if (this.isCancelled(task.workflowId)) {
      controller.abort(new AbortReason(ErrorCode.CANCELLED, "workflow was cancelled"));
    }
  }

  delete(key: string): void {
    this.#running.delete(key);
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
    for (const { task, controller } of this.#running.values()) {
      if (task.workflowId !== command.workflowId) continue;
      if (command.taskId && task.taskId !== command.taskId) continue;
      controller.abort(new AbortReason(ErrorCode.CANCELLED, `cancelled: ${command.reason}`));
      aborted += 1;
    }
    return aborted;
  }

  /** Aborts everything (shutdown past its grace period). */
  abortAll(reason: string): void {
    for (const { controller } of this.#running.values()) {
      controller.abort(new AbortReason(ErrorCode.UNAVAILABLE, reason));
    }
  }

  #prune(): void {
    if (this.#cancelledWorkflows.size < 10_000) return;
    const cutoff = Date.now() - this.#rememberMs;
    for (const [id, at] of this.#cancelledWorkflows) if (at < cutoff) this.#cancelledWorkflows.delete(id);
  }
}

import { ErrorCode, ToolError, type EventMessage, type ResultMessage, type ToolErrorShape } from "@toolmesh/core";
import { backoffMs, type ValidTask, type ValidWorkflow } from "./validate.js";

export type TaskStateName = "pending" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type WorkflowStateName = "running" | "succeeded" | "failed" | "cancelled";

export interface TaskRecord {
  spec: ValidTask;
  state: TaskStateName;
  attempt: number;
  output?: Record<string, unknown>;
  error?: ToolErrorShape;
  startedAtMs?: number;
  finishedAtMs?: number;
  worker?: string;
  /** Deps not yet succeeded. */
  waitingOn: Set<string>;
  timer?: NodeJS.Timeout;
}

/** What a run does to the outside world; the coordinator wires it to NATS. */
export interface RunEffects {
  dispatch(run: WorkflowRun, task: TaskRecord, deadlineMs: number): Promise<void>;
  emit(event: EventMessage): void;
  cancelRemote(workflowId: string, taskId: string | undefined, reason: string): void;
  finished(run: WorkflowRun): void;
}

/** Slack beyond a task's deadline before the coordinator stops waiting for the worker's own timeout result. */
const DEADLINE_GRACE_MS = 1000;

const TERMINAL: ReadonlySet<TaskStateName> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * One workflow's state machine: a task is dispatched when its dependencies
 * have succeeded; a failure is retried with backoff while its policy allows,
 * and otherwise fails every task downstream of it with the reason; the
 * workflow ends when no task can move any more.
 */
export class WorkflowRun {
  readonly id: string;
  readonly name: string;
  readonly createdAtMs = Date.now();
  finishedAtMs?: number;
  state: WorkflowStateName = "running";
  error?: string;
  readonly tasks = new Map<string, TaskRecord>();
  readonly #dependents = new Map<string, string[]>();
  readonly #effects: RunEffects;
  /** Publishes no events (a single CallTool; its caller waits for the reply). */
  readonly quiet: boolean;

  constructor(id: string, workflow: ValidWorkflow, effects: RunEffects, options: { quiet?: boolean } = {}) {
    this.id = id;
    this.quiet = options.quiet ?? false;
    this.name = workflow.name;
    this.#effects = effects;
    for (const spec of workflow.tasks) {
      this.tasks.set(spec.id, { spec, state: "pending", attempt: 0, waitingOn: new Set(spec.dependsOn) });
      for (const dep of spec.dependsOn) {
        const list = this.#dependents.get(dep) ?? [];
        list.push(spec.id);
        this.#dependents.set(dep, list);
      }
    }
  }

  get done(): boolean {
    return this.state !== "running";
  }

  start(): void {
    this.#emit({ kind: "workflow.started", message: `${this.tasks.size} tasks` });
    for (const task of this.tasks.values()) if (task.waitingOn.size === 0) this.#dispatch(task);
  }

  /** A worker reported that it began an attempt. */
  onStarted(taskId: string, attempt: number, worker: string | undefined, atMs: number): void {
    const task = this.tasks.get(taskId);
    if (!task || task.attempt !== attempt || task.state !== "queued") return;
    task.state = "running";
    task.startedAtMs = atMs;
    if (worker) task.worker = worker;
  }

  /** Returns false for a result that no longer matters (old attempt, duplicate, finished task). */
  onResult(result: ResultMessage): boolean {
    const task = this.tasks.get(result.taskId);
    if (!task || TERMINAL.has(task.state) || task.attempt !== result.attempt) return false;
    clearTimeout(task.timer);
    task.worker = result.worker;
    task.startedAtMs = result.startedAtMs;
    task.finishedAtMs = result.finishedAtMs;
    if (result.error) {
      this.#failAttempt(task, result.error);
      return true;
    }
    task.state = "succeeded";
    task.output = result.output ?? {};
    this.#emit({
      kind: "task.succeeded",
      ...this.#taskFields(task),
      durationMs: result.finishedAtMs - result.startedAtMs,
      worker: result.worker,
    });
    for (const id of this.#dependents.get(task.spec.id) ?? []) {
      const dependent = this.tasks.get(id)!;
      dependent.waitingOn.delete(task.spec.id);
      if (dependent.waitingOn.size === 0 && dependent.state === "pending") this.#dispatch(dependent);
    }
    this.#checkDone();
    return true;
  }

  cancel(reason: string): void {
    if (this.done) return;
    this.#effects.cancelRemote(this.id, undefined, reason);
    for (const task of this.tasks.values()) {
      if (TERMINAL.has(task.state)) continue;
      clearTimeout(task.timer);
      task.state = "cancelled";
      task.error = { code: ErrorCode.CANCELLED, message: `workflow cancelled: ${reason}`, retryable: false };
      task.finishedAtMs = Date.now();
      this.#emit({ kind: "task.cancelled", ...this.#taskFields(task), message: reason });
    }
    this.#finish("cancelled", `cancelled: ${reason}`);
  }

  #dispatch(task: TaskRecord): void {
    task.attempt += 1;
    task.state = "queued";
    delete task.error;
    const deadlineMs = Date.now() + task.spec.timeoutMs;
    const attempt = task.attempt;
    task.timer = setTimeout(() => this.#onDeadline(task, attempt), task.spec.timeoutMs + DEADLINE_GRACE_MS);
    this.#emit({ kind: "task.queued", ...this.#taskFields(task) });
    this.#effects.dispatch(this, task, deadlineMs).catch((err: unknown) => {
      if (task.attempt !== attempt || TERMINAL.has(task.state)) return;
      clearTimeout(task.timer);
      this.#failAttempt(
        task,
        err instanceof ToolError
          ? err.toShape()
          : {
              code: ErrorCode.UNAVAILABLE,
              message: `could not queue the task on pool ${task.spec.pool}: ${err instanceof Error ? err.message : String(err)}`,
              retryable: true,
            },
      );
    });
  }

  #onDeadline(task: TaskRecord, attempt: number): void {
    if (task.attempt !== attempt || TERMINAL.has(task.state)) return;
    this.#effects.cancelRemote(this.id, task.spec.id, "deadline exceeded");
    this.#failAttempt(task, {
      code: ErrorCode.DEADLINE_EXCEEDED,
      message: `no result within ${task.spec.timeoutMs} ms (attempt ${attempt}); raise timeoutMs or check the ${task.spec.pool} pool's workers`,
      retryable: true,
    });
  }

  #failAttempt(task: TaskRecord, error: ToolErrorShape): void {
    task.error = error;
    if (error.retryable && task.attempt < task.spec.retry.maxAttempts && !this.done) {
      const delay = backoffMs(task.spec.retry, task.attempt + 1);
      task.state = "pending";
      this.#emit({ kind: "task.retrying", ...this.#taskFields(task), message: `${error.code}: ${error.message}; retrying in ${delay} ms` });
      task.timer = setTimeout(() => {
        if (!this.done && task.state === "pending") this.#dispatch(task);
      }, delay);
      return;
    }
    task.state = "failed";
    task.finishedAtMs ??= Date.now();
    this.#emit({ kind: "task.failed", ...this.#taskFields(task), message: `${error.code}: ${error.message}` });
    this.#failDownstream(task);
    this.#checkDone();
  }

  /** Every task that (transitively) needed `failed` can no longer run. */
  #failDownstream(failed: TaskRecord): void {
    const queue = [...(this.#dependents.get(failed.spec.id) ?? [])].map((id) => [id, failed.spec.id] as const);
    while (queue.length > 0) {
      const [id, because] = queue.shift()!;
      const task = this.tasks.get(id)!;
      if (task.state !== "pending") continue;
      clearTimeout(task.timer);
      task.state = "failed";
      task.finishedAtMs = Date.now();
      task.error = {
        code: ErrorCode.FAILED_PRECONDITION,
        message: `dependency "${because}" did not succeed`,
        retryable: false,
      };
      this.#emit({ kind: "task.failed", ...this.#taskFields(task), message: `FAILED_PRECONDITION: ${task.error.message}` });
      for (const next of this.#dependents.get(id) ?? []) queue.push([next, id]);
    }
  }

  #checkDone(): void {
    if (this.done) return;
    let failed = 0;
    for (const task of this.tasks.values()) {
      if (!TERMINAL.has(task.state)) return;
      if (task.state !== "succeeded") failed += 1;
    }
    if (failed === 0) this.#finish("succeeded");
    else this.#finish("failed", `${failed} of ${this.tasks.size} tasks did not succeed`);
  }

  #finish(state: Exclude<WorkflowStateName, "running">, error?: string): void {
    this.state = state;
    this.finishedAtMs = Date.now();
    if (error) this.error = error;
    this.#emit({ kind: `workflow.${state}`, ...(error ? { message: error } : {}), durationMs: this.finishedAtMs - this.createdAtMs });
    this.#effects.finished(this);
  }

  #taskFields(task: TaskRecord): Pick<EventMessage, "taskId" | "tool" | "pool" | "attempt"> {
    return { taskId: task.spec.id, tool: task.spec.tool, pool: task.spec.pool, attempt: task.attempt };
  }

  #emit(event: Omit<EventMessage, "workflowId" | "timeMs">): void {
    if (this.quiet) return;
    this.#effects.emit({ ...event, workflowId: this.id, timeMs: Date.now() });
  }
}

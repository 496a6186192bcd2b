import { ErrorCode, runsInCoordinator, type EventMessage, type ResultMessage, type ToolErrorShape } from "@toolmesh/core";
import { itemsAt, selectItems, type ValidWorkflow } from "@toolmesh/spec";
import { Attempts } from "./attempts.js";
import { systemClock, type Clock } from "./clock.js";
import { completion, type WorkflowStateName } from "./completion.js";
import type { RunEffects, RunInternals } from "./effects.js";
import { itemTasks, loadedFanOutOutput, overCallLimit, storedFanOutOutput } from "./fan-out.js";
import { JoinEvaluator } from "./join-evaluator.js";
import { PendingWrites } from "./pending-writes.js";
import { mayResend } from "./retry.js";
import { callKey, SharedCalls } from "./shared-calls.js";
import { applySnapshot, runSnapshot, taskSnapshot, type RunSnapshot, type TaskSnapshot } from "./snapshot.js";
import { collectSynthInputs } from "./synth-inputs.js";
import { loadAndFillArgs } from "./task-args.js";
import {
  errorShape,
  isInFlight,
  isTerminal,
  recordCancellation,
  recordFailure,
  taskFields,
  type OutputRef,
  type TaskRecord,
} from "./task-record.js";

export type { WorkflowStateName } from "./completion.js";
export type { RunEffects } from "./effects.js";
export type { RunSnapshot, TaskSnapshot } from "./snapshot.js";
export type { SynthInput } from "@toolmesh/synthesis";
export { isTerminal, type OutputRef, type TaskRecord, type TaskStateName } from "./task-record.js";

/**
 * One workflow's state machine. A task goes when its dependencies satisfy
 * its fan-in (all of them by default); a fan-out task becomes one item task
 * per upstream item and completes by its fan-in over them; synthesis tasks
 * run in the coordinator; worker tasks go to their pool, are retried with
 * backoff while their policy allows, and otherwise fail what needed them.
 * Identical shareable calls run once. The workflow ends when nothing can move. A client may cancel one task (a fan-out with its unfinished items): it then counts as not succeeded.
 */
export class WorkflowRun {
  readonly id: string;
  readonly name: string;
  readonly spec: ValidWorkflow;
  createdAtMs: number;
  finishedAtMs?: number;
  state: WorkflowStateName = "running";
  error?: string;
  readonly tasks = new Map<string, TaskRecord>();
  /** Nesting: 0 for a client's workflow, parent's depth + 1 for a sub-agent's. */
  readonly depth: number;
  readonly ancestors: string[];
  readonly children: string[] = [];
  /** Publishes no events (a single CallTool; its caller waits for the reply). */
  readonly quiet: boolean;
  /** Calls started so far (fan-out items included), against spec.maxCalls. */
  calls = 0;
  /** Task records to store next (see PendingWrites). */
  readonly writes = new PendingWrites();
  /** Tasks not yet terminal: while any is, the workflow cannot be done (no walk over every task per result). */
  readonly #open = new Set<string>();
  readonly #dependents = new Map<string, string[]>();
  readonly #effects: RunEffects;
  readonly #clock: Clock;
  readonly #shared: SharedCalls;
  readonly #attempts: Attempts;
  readonly #joins: JoinEvaluator;

  constructor(
    id: string,
    workflow: ValidWorkflow,
    effects: RunEffects,
    options: { quiet?: boolean; depth?: number; ancestors?: string[]; clock?: Clock } = {},
  ) {
    this.id = id;
    this.spec = workflow;
    this.quiet = options.quiet ?? false;
    this.depth = options.depth ?? 0;
    this.ancestors = options.ancestors ?? [];
    this.name = workflow.name;
    this.#effects = effects;
    this.#clock = options.clock ?? systemClock;
    this.createdAtMs = this.#clock.now();
    const internals: RunInternals = {
      run: this,
      tasks: this.tasks,
      effects,
      clock: this.#clock,
      isDone: () => this.done,
      dependentIds: (taskId) => this.#dependents.get(taskId) ?? [],
      emit: (event) => this.#emit(event),
      filledArgs: (task) => loadAndFillArgs(task, this.tasks, (t) => this.outputOf(t)),
      go: (task) => this.#go(task),
      succeed: (task, durationMs) => this.#succeed(task, durationMs),
      failTask: (task, error) => this.#failTask(task, error),
      cancelUnneeded: (task, reason) => this.#cancelTask(task, reason),
      persist: (task) => this.writes.task(task.spec.id),
    };
    this.#attempts = new Attempts(internals);
    this.#joins = new JoinEvaluator(internals);
    this.#shared = new SharedCalls(internals);
    for (const spec of workflow.tasks) {
      this.tasks.set(spec.id, { spec, state: "pending", attempt: 0 });
      this.#open.add(spec.id);
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

  snapshot(): RunSnapshot {
    return runSnapshot(this);
  }

  static taskSnapshot(task: TaskRecord): TaskSnapshot {
    return taskSnapshot(task);
  }

  /** Rebuilds a stored workflow; call resume() to carry on running it. */
  static restore(snapshot: RunSnapshot, tasks: TaskSnapshot[], effects: RunEffects, clock: Clock = systemClock): WorkflowRun {
    const run = new WorkflowRun(snapshot.id, snapshot.spec, effects, { depth: snapshot.depth, ancestors: snapshot.ancestors, clock });
    applySnapshot(run, snapshot, tasks);
    run.#shared.restoreLeaders();
    return run;
  }

  get priority(): number {
    return this.spec.priority;
  }

  get parent(): ValidWorkflow["parent"] {
    return this.spec.parent;
  }

  start(): void {
    this.#emit({ kind: "workflow.started", message: `${this.tasks.size} tasks` });
    for (const task of [...this.tasks.values()]) {
      if (task.spec.dependsOn.length === 0) this.#go(task);
      else this.#joins.armJoinDeadline(task);
    }
    this.#effects.changed(this);
  }

  /**
   * Picks up after a coordinator restart: re-arms deadlines of attempts in
   * pools, re-queues what was waiting, and re-runs what was in the
   * coordinator's own hands (synthesis, expansion: both repeatable).
   */
  resume(): void {
    this.#open.clear();
    for (const task of this.tasks.values()) if (!isTerminal(task.state)) this.#open.add(task.spec.id);
    for (const task of [...this.tasks.values()]) {
      if (isTerminal(task.state)) continue;
      if (task.items) {
        this.#joins.armItemsDeadline(task);
        this.#joins.evaluateFanOut(task);
      } else if (isInFlight(task)) {
        if (runsInCoordinator(task.spec.pool) || task.spec.forEach) this.#go(task);
        else if (task.sharedFrom) this.#shared.followAfterResume(task);
        else if (mayResend(task, this.#clock.now())) void this.#attempts.dispatch(task, true);
        else this.#attempts.armTimer(task, task.deadlineMs!);
      } else if (task.attempt > 0 || (task.spec.dependsOn.length === 0 && !task.itemOf)) {
        // A retry waiting out its backoff, or a task start() sent (stored or not: its attempt 1 goes again under the same id).
        this.#go(task);
      } else {
        this.#joins.armJoinDeadline(task);
        this.#joins.evaluateJoin(task);
      }
    }
    this.#checkDone();
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
  onResult(result: ResultMessage & { outputRef?: OutputRef }): boolean {
    const task = this.tasks.get(result.taskId);
    if (!task || isTerminal(task.state) || task.attempt !== result.attempt || task.sharedFrom) return false;
    this.#clock.clearTimeout(task.timer);
    this.#effects.attemptEnded(this, task);
    task.worker = result.worker;
    task.startedAtMs = result.startedAtMs;
    task.finishedAtMs = result.finishedAtMs;
    if (result.error) {
      this.#attempts.fail(task, result.error);
    } else {
      if (result.outputRef) task.outputRef = result.outputRef;
      else task.output = result.output ?? {};
      if (task.spec.shareable && task.output) this.#effects.shareResult(callKey(task), task.output);
      this.#succeed(task, result.finishedAtMs - result.startedAtMs);
    }
    this.#effects.changed(this);
    return true;
  }

  cancel(reason: string): void {
    if (this.done) return;
    this.#effects.cancelRemote(this.id, undefined, reason);
    for (const task of this.tasks.values()) if (!isTerminal(task.state)) this.#markCancelled(task, `workflow cancelled: ${reason}`);
    this.#finish("cancelled", `cancelled: ${reason}`);
  }

  cancelTask(task: TaskRecord, reason: string): void {
    if (this.done || isTerminal(task.state)) return;
    this.#cancelTask(task, reason, false);
    this.#effects.changed(this);
  }

  /** A task's output, read from the object store when it was large; a fan-out task's is assembled from its items. */
  async outputOf(task: TaskRecord): Promise<Record<string, unknown> | undefined> {
    if (task.items) return loadedFanOutOutput(task, this.#records(task.items), (item) => this.outputOf(item));
    if (task.outputRef) return this.#effects.loadOutput(task.outputRef);
    return task.output;
  }

  /** The output as kept in memory (large ones as a reference), for listings. */
  storedOutput(task: TaskRecord): Record<string, unknown> | undefined {
    if (task.items && task.state === "succeeded")
      return storedFanOutOutput(task, this.#records(task.items), (item) => this.storedOutput(item));
    if (task.outputRef) return { $ref: task.outputRef.name, bytes: task.outputRef.bytes };
    return task.output;
  }

  #records(ids: readonly string[]): TaskRecord[] {
    return ids.map((id) => this.tasks.get(id)!);
  }

  // ---- going: the three kinds of task ----

  #go(task: TaskRecord): void {
    if (this.done || isTerminal(task.state)) return;
    if (task.spec.forEach && !task.itemOf) void this.#expand(task);
    else if (runsInCoordinator(task.spec.pool)) void this.#runSynth(task);
    else this.#queueCall(task);
  }

  async #expand(task: TaskRecord): Promise<void> {
    const forEach = task.spec.forEach!;
    task.state = "running";
    task.startedAtMs = this.#clock.now();
    let items: unknown[];
    try {
      items = itemsAt(await this.outputOf(this.tasks.get(forEach.from)!), forEach.items);
    } catch (err) {
      this.#failTask(task, errorShape(err, ErrorCode.FAILED_PRECONDITION));
      return;
    }
    if (this.done || task.state !== "running") return;
    const { taken, dropped, skipped } = selectItems(items, forEach);
    task.skipped = skipped;
    const overLimit = overCallLimit(taken.length, this.calls, this.spec.maxCalls);
    if (overLimit) {
      this.#failTask(task, overLimit);
      return;
    }
    task.dropped = dropped;
    const records = itemTasks(task, taken);
    task.items = records.map((r) => r.spec.id);
    task.joinStartedAtMs = this.#clock.now();
    const message = `fan-out over ${taken.length} items${dropped ? ` (${dropped} over the cap dropped)` : ""}`;
    this.#emit({ kind: "task.progress", ...taskFields(task), message, progress: { items: taken.length, dropped } });
    for (const record of records) {
      this.tasks.set(record.spec.id, record);
      this.#open.add(record.spec.id);
      this.writes.task(record.spec.id);
    }
    // Stored after its items, so a stored fan-out's items are always there to load.
    this.writes.task(task.spec.id);
    this.#joins.armItemsDeadline(task);
    for (const id of task.items) this.#go(this.tasks.get(id)!);
    this.#joins.evaluateFanOut(task);
    this.#effects.changed(this);
  }

  async #runSynth(task: TaskRecord): Promise<void> {
    task.state = "running";
    task.attempt += 1;
    task.startedAtMs = this.#clock.now();
    this.#emit({ kind: "task.started", ...taskFields(task), worker: "coordinator" });
    try {
      const args = await loadAndFillArgs(task, this.tasks, (t) => this.outputOf(t));
      const from = (args.from as string[] | undefined) ?? task.spec.dependsOn;
      const inputs = await collectSynthInputs(from, this.tasks, (t) => this.outputOf(t));
      const output = await this.#effects.runSynth(task.spec.tool, args, inputs);
      if (this.done || task.state !== "running") return;
      task.output = output;
      task.worker = "coordinator";
      task.finishedAtMs = this.#clock.now();
      this.#succeed(task, task.finishedAtMs - task.startedAtMs);
    } catch (err) {
      if (this.done || task.state !== "running") return;
      task.finishedAtMs = this.#clock.now();
      this.#failTask(task, errorShape(err, ErrorCode.INTERNAL));
    }
    this.#effects.changed(this);
  }

  /** A worker call: shared with an identical one when the tool allows, else queued on its pool. */
  #queueCall(task: TaskRecord): void {
    if (task.attempt === 0) {
      this.calls += 1;
      if (task.spec.shareable && this.#shared.share(task)) return;
    }
    void this.#attempts.dispatch(task);
  }

  // ---- settling ----

  #succeed(task: TaskRecord, durationMs: number): void {
    task.state = "succeeded";
    this.#closed(task);
    const worker = task.worker ? { worker: task.worker } : {};
    const shared = task.sharedFrom ? { message: `shared the result of ${task.sharedFrom}` } : {};
    this.#emit({ kind: "task.succeeded", ...taskFields(task), durationMs, ...worker, ...shared });
    this.#settled(task);
  }

  #failTask(task: TaskRecord, error: ToolErrorShape): void {
    this.#clearTimers(task);
    recordFailure(task, error, this.#clock.now());
    this.#closed(task);
    this.#emit({ kind: "task.failed", ...taskFields(task), message: `${error.code}: ${error.message}` });
    this.#settled(task);
  }

  #markCancelled(task: TaskRecord, reason: string, unneeded = false): void {
    const wasInPool = isInFlight(task);
    this.#clearTimers(task);
    if (wasInPool && !task.sharedFrom && !runsInCoordinator(task.spec.pool) && !task.items) this.#effects.attemptEnded(this, task);
    recordCancellation(task, reason, unneeded, this.#clock.now());
    this.#closed(task);
    this.#emit({ kind: "task.cancelled", ...taskFields(task), message: reason });
  }

  /** The task is terminal: no longer open, and its record is to be stored. */
  #closed(task: TaskRecord): void {
    this.#open.delete(task.spec.id);
    this.writes.task(task.spec.id);
  }

  #clearTimers(task: TaskRecord): void {
    this.#clock.clearTimeout(task.timer);
    this.#clock.clearTimeout(task.joinTimer);
  }

  /** A task reached a terminal state: tell whoever waits on it. */
  #settled(task: TaskRecord): void {
    this.#shared.settleFollowers(task);
    if (task.itemOf) this.#joins.evaluateFanOut(this.tasks.get(task.itemOf.parent)!);
    for (const dependent of this.#dependentsOf(task.spec.id)) this.#joins.evaluateJoin(dependent);
    this.#checkDone();
  }

  #dependentsOf(taskId: string): TaskRecord[] {
    return this.#records(this.#dependents.get(taskId) ?? []);
  }

  #cancelTask(task: TaskRecord, reason: string, unneeded = true): void {
    if (isInFlight(task)) this.#effects.cancelRemote(this.id, task.spec.id, reason);
    if (task.items) for (const item of this.#records(task.items)) if (!isTerminal(item.state)) this.#cancelTask(item, reason, unneeded);
    this.#markCancelled(task, reason, unneeded);
    this.#settled(task);
  }

  #checkDone(): void {
    if (this.done || this.#open.size > 0) return;
    const outcome = completion(this.tasks.values(), (id) => this.#dependentsOf(id));
    if (!outcome) return;
    if (outcome.state === "succeeded") this.#finish("succeeded");
    else this.#finish("failed", outcome.error);
  }

  #finish(state: Exclude<WorkflowStateName, "running">, error?: string): void {
    this.state = state;
    this.finishedAtMs = this.#clock.now();
    if (error) this.error = error;
    for (const task of this.tasks.values()) this.#clock.clearTimeout(task.joinTimer);
    this.writes.forgetReleased();
    this.#emit({ kind: `workflow.${state}`, ...(error ? { message: error } : {}), durationMs: this.finishedAtMs - this.createdAtMs });
    this.#effects.changed(this);
    this.#effects.finished(this);
  }

  #emit(event: Omit<EventMessage, "workflowId" | "timeMs">): void {
    if (this.quiet) return;
    this.#effects.emit({ ...event, workflowId: this.id, timeMs: this.#clock.now() });
  }
}

import { ErrorCode, ToolError, type EventMessage, type ResultMessage, type ToolErrorShape } from "@toolmesh/core";
import { parseToolArgs } from "@toolmesh/tools";
import { systemClock, type Clock } from "./clock.js";
import { completion, type WorkflowStateName } from "./completion.js";
import { JOIN_ALL, type JoinDecision } from "./fan-in.js";
import { fanOutFailure, itemTasks, loadedFanOutOutput, overCallLimit, storedFanOutOutput } from "./fan-out.js";
import { selectItems } from "./items.js";
import { decideMembers, joinDeadlinePassed } from "./joins.js";
import { fillPlaceholders, itemsAt } from "./placeholders.js";
import { attemptTimeoutMs, backoffMs, mayResend } from "./retry.js";
import { callKey, copyLeaderRecord, SharedCalls } from "./shared-calls.js";
import { applySnapshot, runSnapshot, taskSnapshot, type RunSnapshot, type TaskSnapshot } from "./snapshot.js";
import { collectSynthInputs, type SynthInput } from "./synth-inputs.js";
import { errorShape, isInFlight, isTerminal, recordCancellation, recordFailure, taskFields, type OutputRef, type TaskRecord } from "./task-record.js";
import type { ValidWorkflow } from "./validate.js";

export type { WorkflowStateName } from "./completion.js";
export type { RunSnapshot, TaskSnapshot } from "./snapshot.js";
export type { SynthInput } from "./synth-inputs.js";
export { isTerminal, type OutputRef, type TaskRecord, type TaskStateName } from "./task-record.js";

/** What a run does to the outside world; the engine wires it to NATS. */
export interface RunEffects {
  /**
   * Hands an attempt to its pool; `onRelease` is called with the attempt's
   * deadline when it actually leaves the coordinator (priorities and caps may
   * hold it first). Rejects when it could not be queued.
   */
  dispatch(run: WorkflowRun, task: TaskRecord, onRelease: (deadlineMs: number) => void): Promise<void>;
  /** An attempt is no longer in a pool (result, deadline, cancel). */
  attemptEnded(run: WorkflowRun, task: TaskRecord): void;
  runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
  /** A result of an identical shareable call from another workflow, when the engine keeps them. */
  sharedResult(key: string): Record<string, unknown> | undefined;
  shareResult(key: string, output: Record<string, unknown>): void;
  emit(event: EventMessage): void;
  cancelRemote(workflowId: string, taskId: string | undefined, reason: string): void;
  /** State changed: persist it. */
  changed(run: WorkflowRun): void;
  finished(run: WorkflowRun): void;
}

/**
 * One workflow's state machine. A task goes when its dependencies satisfy
 * its fan-in (all of them by default); a fan-out task becomes one item task
 * per upstream item and completes by its fan-in over them; synthesis tasks
 * run in the coordinator; worker tasks go to their pool, are retried with
 * backoff while their policy allows, and otherwise fail what needed them.
 * Identical shareable calls run once. The workflow ends when nothing can move.
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
  readonly #dependents = new Map<string, string[]>();
  readonly #effects: RunEffects;
  readonly #clock: Clock;
  readonly #shared = new SharedCalls(this.tasks);
  /** Fan-out tasks being closed right now. */
  readonly #closing = new Set<string>();

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
    for (const spec of workflow.tasks) {
      this.tasks.set(spec.id, { spec, state: "pending", attempt: 0 });
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
      else this.#armJoinDeadline(task);
    }
    this.#effects.changed(this);
  }

  /**
   * Picks up after a coordinator restart: re-arms deadlines of attempts in
   * pools, re-queues what was waiting, and re-runs what was in the
   * coordinator's own hands (synthesis, expansion: both repeatable).
   */
  resume(): void {
    for (const task of [...this.tasks.values()]) {
      if (isTerminal(task.state)) continue;
      if (task.items) {
        this.#armItemsDeadline(task);
        this.#evaluateFanOut(task);
      } else if (isInFlight(task)) {
        if (task.spec.pool === "synth" || task.spec.forEach) this.#go(task);
        else if (task.sharedFrom) this.#followSharedAfterResume(task);
        else if (mayResend(task, this.#clock.now())) void this.#dispatch(task, true);
        else this.#armAttemptTimer(task, task.deadlineMs!);
      } else if (task.attempt > 0) {
        this.#go(task);
      } else {
        this.#evaluateJoin(task);
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
      this.#failAttempt(task, result.error);
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
    for (const task of this.tasks.values()) {
      if (isTerminal(task.state)) continue;
      this.#markCancelled(task, `workflow cancelled: ${reason}`);
    }
    this.#finish("cancelled", `cancelled: ${reason}`);
  }

  /** A task's output, read from the object store when it was large; a fan-out task's is assembled from its items. */
  async outputOf(task: TaskRecord): Promise<Record<string, unknown> | undefined> {
    if (task.items) return loadedFanOutOutput(task, this.#records(task.items), (item) => this.outputOf(item));
    if (task.outputRef) return this.#effects.loadOutput(task.outputRef);
    return task.output;
  }

  /** The output as kept in memory (large ones as a reference), for listings. */
  storedOutput(task: TaskRecord): Record<string, unknown> | undefined {
    if (task.items && task.state === "succeeded") return storedFanOutOutput(task, this.#records(task.items), (item) => this.storedOutput(item));
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
    else if (task.spec.pool === "synth") void this.#runSynth(task);
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
    for (const record of records) this.tasks.set(record.spec.id, record);
    this.#armItemsDeadline(task);
    for (const id of task.items) this.#go(this.tasks.get(id)!);
    this.#evaluateFanOut(task);
    this.#effects.changed(this);
  }

  async #runSynth(task: TaskRecord): Promise<void> {
    task.state = "running";
    task.attempt += 1;
    task.startedAtMs = this.#clock.now();
    this.#emit({ kind: "task.started", ...taskFields(task), worker: "coordinator" });
    try {
      const args = await this.#filledArgs(task);
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
      if (task.spec.shareable && this.#shareCall(task)) return;
    }
    void this.#dispatch(task);
  }

  /** True when the task got (or will get) another call's result instead of running. */
  #shareCall(task: TaskRecord): boolean {
    if (task.spec.templated) {
      try {
        this.#fillSync(task);
      } catch {
        return false;
      }
    }
    const cached = this.#effects.sharedResult(callKey(task));
    if (cached) {
      task.sharedFrom = "cache";
      task.output = cached;
      task.startedAtMs = task.finishedAtMs = this.#clock.now();
      this.#succeed(task, 0);
      return true;
    }
    const leader = this.#shared.leaderFor(task);
    if (!leader) return false;
    task.sharedFrom = leader.spec.id;
    if (leader.state === "succeeded") {
      this.#copyOutcome(leader, task);
      return true;
    }
    task.state = "queued";
    task.queuedAtMs = this.#clock.now();
    this.#shared.follow(leader.spec.id, task.spec.id);
    return true;
  }

  #followSharedAfterResume(task: TaskRecord): void {
    const leader = this.tasks.get(task.sharedFrom!);
    if (leader && isTerminal(leader.state)) this.#copyOutcome(leader, task);
    else if (leader) this.#shared.follow(leader.spec.id, task.spec.id);
  }

  #copyOutcome(leader: TaskRecord, task: TaskRecord): void {
    const error = copyLeaderRecord(leader, task, this.#clock.now());
    if (error) this.#failTask(task, error);
    else this.#succeed(task, 0);
  }

  /** Fills placeholders into spec.args (once: they do not change between attempts) and checks them with the tool's schema. */
  #fillSync(task: TaskRecord): void {
    if (!task.spec.templated) return;
    const filled = fillPlaceholders(task.spec.args, {
      ...(task.itemOf ? { item: task.itemOf.item, index: task.itemOf.index } : {}),
      output: (id) => this.tasks.get(id)?.output,
    });
    task.spec = { ...task.spec, args: parseToolArgs(task.spec.tool, filled), templated: false };
  }

  async #filledArgs(task: TaskRecord): Promise<Record<string, unknown>> {
    if (task.spec.templated) {
      // Referenced outputs may live in the object store: load them first.
      for (const dep of task.spec.dependsOn) {
        const record = this.tasks.get(dep);
        if (record?.outputRef && !record.output) record.output = await this.outputOf(record);
      }
      this.#fillSync(task);
    }
    return task.spec.args;
  }

  async #dispatch(task: TaskRecord, sameAttempt = false): Promise<void> {
    if (!sameAttempt) task.attempt += 1;
    task.state = "queued";
    delete task.error;
    const attempt = task.attempt;
    try {
      await this.#filledArgs(task);
    } catch (err) {
      this.#failTask(task, errorShape(err, ErrorCode.INVALID_ARGUMENT));
      return;
    }
    this.#emit({ kind: "task.queued", ...taskFields(task) });
    this.#effects
      .dispatch(this, task, (deadlineMs) => {
        task.queuedAtMs = this.#clock.now();
        task.deadlineMs = deadlineMs;
        this.#armAttemptTimer(task, deadlineMs);
      })
      .catch((err: unknown) => {
        if (task.attempt !== attempt || isTerminal(task.state)) return;
        this.#clock.clearTimeout(task.timer);
        this.#effects.attemptEnded(this, task);
        const message = `could not queue the task on pool ${task.spec.pool}: ${err instanceof Error ? err.message : String(err)}`;
        this.#failAttempt(task, err instanceof ToolError ? err.toShape() : { code: ErrorCode.UNAVAILABLE, message, retryable: true });
      });
  }

  #armAttemptTimer(task: TaskRecord, deadlineMs: number): void {
    const attempt = task.attempt;
    this.#clock.clearTimeout(task.timer);
    task.timer = this.#clock.setTimeout(() => this.#onDeadline(task, attempt), attemptTimeoutMs(deadlineMs, this.#clock.now()));
  }

  #onDeadline(task: TaskRecord, attempt: number): void {
    if (task.attempt !== attempt || isTerminal(task.state)) return;
    this.#effects.cancelRemote(this.id, task.spec.id, "deadline exceeded");
    this.#effects.attemptEnded(this, task);
    this.#failAttempt(task, {
      code: ErrorCode.DEADLINE_EXCEEDED,
      message: `no result within ${task.spec.timeoutMs} ms (attempt ${attempt}); raise timeoutMs or check the ${task.spec.pool} pool's workers`,
      retryable: true,
    });
    this.#effects.changed(this);
  }

  #failAttempt(task: TaskRecord, error: ToolErrorShape): void {
    task.error = error;
    if (error.retryable && task.attempt < task.spec.retry.maxAttempts && !this.done) {
      const delay = backoffMs(task.spec.retry, task.attempt + 1);
      task.state = "pending";
      this.#emit({ kind: "task.retrying", ...taskFields(task), message: `${error.code}: ${error.message}; retrying in ${delay} ms` });
      task.timer = this.#clock.setTimeout(() => {
        if (!this.done && task.state === "pending") void this.#dispatch(task);
      }, delay);
      return;
    }
    this.#failTask(task, error);
  }

  // ---- settling ----

  #succeed(task: TaskRecord, durationMs: number): void {
    task.state = "succeeded";
    const worker = task.worker ? { worker: task.worker } : {};
    const shared = task.sharedFrom ? { message: `shared the result of ${task.sharedFrom}` } : {};
    this.#emit({ kind: "task.succeeded", ...taskFields(task), durationMs, ...worker, ...shared });
    this.#settled(task);
  }

  #failTask(task: TaskRecord, error: ToolErrorShape): void {
    this.#clearTimers(task);
    recordFailure(task, error, this.#clock.now());
    this.#emit({ kind: "task.failed", ...taskFields(task), message: `${error.code}: ${error.message}` });
    this.#settled(task);
  }

  #markCancelled(task: TaskRecord, reason: string, unneeded = false): void {
    const wasInPool = isInFlight(task);
    this.#clearTimers(task);
    if (wasInPool && !task.sharedFrom && task.spec.pool !== "synth" && !task.items) this.#effects.attemptEnded(this, task);
    recordCancellation(task, reason, unneeded, this.#clock.now());
    this.#emit({ kind: "task.cancelled", ...taskFields(task), message: reason });
  }

  #clearTimers(task: TaskRecord): void {
    this.#clock.clearTimeout(task.timer);
    this.#clock.clearTimeout(task.joinTimer);
  }

  /** A task reached a terminal state: tell whoever waits on it. */
  #settled(task: TaskRecord): void {
    for (const follower of this.#shared.followersOf(task.spec.id)) {
      if (!isTerminal(follower.state)) this.#copyOutcome(task, follower);
    }
    this.#shared.forgetFollowers(task.spec.id);
    if (task.itemOf) this.#evaluateFanOut(this.tasks.get(task.itemOf.parent)!);
    for (const dependent of this.#dependentsOf(task.spec.id)) this.#evaluateJoin(dependent);
    this.#checkDone();
  }

  #dependentsOf(taskId: string): TaskRecord[] {
    return this.#records(this.#dependents.get(taskId) ?? []);
  }

  #evaluateJoin(task: TaskRecord): void {
    if (task.state !== "pending" || task.attempt > 0 || this.done) return;
    const deps = this.#records(task.spec.dependsOn);
    const policy = task.spec.forEach ? JOIN_ALL : task.spec.fanIn;
    const decision = decideMembers(policy, deps, joinDeadlinePassed(policy, this.createdAtMs, this.#clock.now()));
    if (decision.kind === "wait") return;
    this.#clock.clearTimeout(task.joinTimer);
    if (decision.kind === "fail") {
      this.#failTask(task, { code: ErrorCode.FAILED_PRECONDITION, message: decision.reason, retryable: false });
      return;
    }
    // Go first: cancelling the rest settles them, which re-evaluates this join.
    this.#go(task);
    if (decision.cancelOpen) {
      for (const dep of deps) {
        // Only a dependency nobody else waits for is no longer wanted.
        if (!isTerminal(dep.state) && (this.#dependents.get(dep.spec.id) ?? []).every((id) => id === task.spec.id)) {
          this.#cancelTask(dep, `not needed: "${task.spec.id}" went ahead (${policy.mode})`);
        }
      }
    }
  }

  #evaluateFanOut(task: TaskRecord): void {
    if (task.state !== "running" || !task.items || this.#closing.has(task.spec.id)) return;
    const items = this.#records(task.items);
    const deadlinePassed = joinDeadlinePassed(task.spec.fanIn, task.joinStartedAtMs ?? 0, this.#clock.now());
    const decision = decideMembers(task.spec.fanIn, items, deadlinePassed);
    if (decision.kind === "wait") return;
    this.#clock.clearTimeout(task.joinTimer);
    // Cancelling open items settles them, which would evaluate this again.
    this.#closing.add(task.spec.id);
    try {
      this.#closeFanOut(task, items, decision, deadlinePassed);
    } finally {
      this.#closing.delete(task.spec.id);
    }
  }

  #closeFanOut(task: TaskRecord, items: TaskRecord[], decision: Exclude<JoinDecision, { kind: "wait" }>, deadlinePassed: boolean): void {
    if (decision.kind === "go" && decision.cancelOpen) {
      for (const item of items) if (!isTerminal(item.state)) this.#cancelTask(item, `not needed: "${task.spec.id}" completed (${task.spec.fanIn.mode})`);
    }
    if (decision.kind === "fail") {
      for (const item of items) if (!isTerminal(item.state)) this.#cancelTask(item, `"${task.spec.id}" failed`);
      this.#failTask(task, fanOutFailure(items, decision.reason, deadlinePassed));
      return;
    }
    task.finishedAtMs = this.#clock.now();
    this.#succeed(task, task.finishedAtMs - (task.startedAtMs ?? task.finishedAtMs));
  }

  #cancelTask(task: TaskRecord, reason: string): void {
    if (isInFlight(task)) this.#effects.cancelRemote(this.id, task.spec.id, reason);
    if (task.items) for (const item of this.#records(task.items)) this.#cancelTask(item, reason);
    this.#markCancelled(task, reason, true);
    this.#settled(task);
  }

  #armJoinDeadline(task: TaskRecord): void {
    if (task.spec.forEach || task.spec.fanIn.mode !== "deadline") return;
    this.#armDeadline(task, this.createdAtMs + task.spec.fanIn.deadlineMs, () => this.#evaluateJoin(task));
  }

  #armItemsDeadline(task: TaskRecord): void {
    if (task.spec.fanIn.mode !== "deadline") return;
    this.#armDeadline(task, (task.joinStartedAtMs ?? this.#clock.now()) + task.spec.fanIn.deadlineMs, () => this.#evaluateFanOut(task));
  }

  /**
   * Evaluates the join at `atMs` (wall clock). A timer can fire before the
   * clock reaches it (the event loop's clock is cached, and lags after a
   * long synchronous stretch), when the join would still see "wait" and
   * nothing would look again: then it is armed again for the rest.
   */
  #armDeadline(task: TaskRecord, atMs: number, evaluate: () => void): void {
    task.joinTimer = this.#clock.setTimeout(() => {
      if (this.#clock.now() < atMs) return this.#armDeadline(task, atMs, evaluate);
      evaluate();
      this.#effects.changed(this);
    }, Math.max(0, atMs - this.#clock.now()));
  }

  #checkDone(): void {
    if (this.done) return;
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
    this.#emit({ kind: `workflow.${state}`, ...(error ? { message: error } : {}), durationMs: this.finishedAtMs - this.createdAtMs });
    this.#effects.changed(this);
    this.#effects.finished(this);
  }

  #emit(event: Omit<EventMessage, "workflowId" | "timeMs">): void {
    if (this.quiet) return;
    this.#effects.emit({ ...event, workflowId: this.id, timeMs: this.#clock.now() });
  }
}

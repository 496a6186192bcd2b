import { ErrorCode, ToolError, type EventMessage, type ResultMessage, type ToolErrorShape } from "@toolmesh/core";
import { parseToolArgs } from "@toolmesh/tools";
import { countOutcomes, decideJoin, JOIN_ALL, type JoinDecision, type MemberOutcome } from "./fan-in.js";
import { systemClock, type Clock, type TimerHandle } from "./clock.js";
import { selectItems } from "./items.js";
import { canonicalJson, fillPlaceholders, itemsAt } from "./placeholders.js";
import { backoffMs, type ValidTask, type ValidWorkflow } from "./validate.js";

export type TaskStateName = "pending" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type WorkflowStateName = "running" | "succeeded" | "failed" | "cancelled";

/** Where a large output lives in the object store instead of the task record. */
export interface OutputRef {
  name: string;
  bytes: number;
}

export interface TaskRecord {
  /** For a fan-out item: derived from its parent's spec, id "<parent>[<index>]", arguments filled. */
  spec: ValidTask;
  state: TaskStateName;
  attempt: number;
  output?: Record<string, unknown>;
  outputRef?: OutputRef;
  error?: ToolErrorShape;
  startedAtMs?: number;
  finishedAtMs?: number;
  worker?: string;
  /** agent.run: the current attempt's capability (sent in its task message), which a child's ParentRef must carry. */
  capability?: string;
  /** When the current attempt was handed to its pool, and its absolute deadline. */
  queuedAtMs?: number;
  deadlineMs?: number;
  /** This call shared the result of an identical one (a task id, or "cache"). */
  sharedFrom?: string;
  /** A fan-out item: its parent task and place. */
  itemOf?: { parent: string; index: number; item: unknown };
  /** A fan-out task once expanded: its items' task ids, and items over the cap. */
  items?: string[];
  dropped?: number;
  /** Items forEach.match filtered out. */
  skipped?: number;
  /** Cancelled because the fan-in it belonged to no longer needed it. */
  unneeded?: boolean;
  /** When its members became runnable (for a deadline fan-in). */
  joinStartedAtMs?: number;
  timer?: TimerHandle;
  joinTimer?: TimerHandle;
}

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

export interface SynthInput {
  source: string;
  tool: string;
  item?: unknown;
  output: Record<string, unknown>;
}

/** A task record as stored: everything but its timers. */
export type TaskSnapshot = Omit<TaskRecord, "timer" | "joinTimer">;

/** A workflow as stored in KV, enough to resume it on another coordinator. */
export interface RunSnapshot {
  id: string;
  name: string;
  spec: ValidWorkflow;
  createdAtMs: number;
  finishedAtMs?: number;
  state: WorkflowStateName;
  error?: string;
  depth: number;
  ancestors: string[];
  children: string[];
  calls: number;
}

/** Slack beyond a task's deadline before the coordinator stops waiting for the worker's own timeout result. */
const DEADLINE_GRACE_MS = 1000;

const TERMINAL: ReadonlySet<TaskStateName> = new Set(["succeeded", "failed", "cancelled"]);

export function isTerminal(state: TaskStateName): boolean {
  return TERMINAL.has(state);
}

function errorShape(err: unknown, fallback: ErrorCode): ToolErrorShape {
  if (err instanceof ToolError) return err.toShape();
  return { code: fallback, message: err instanceof Error ? err.message : String(err), retryable: false };
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
  /** Shareable call key → the task that runs it; followers wait on it. */
  readonly #leaders = new Map<string, string>();
  readonly #followers = new Map<string, string[]>();
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
    return {
      id: this.id,
      name: this.name,
      spec: this.spec,
      createdAtMs: this.createdAtMs,
      ...(this.finishedAtMs !== undefined ? { finishedAtMs: this.finishedAtMs } : {}),
      state: this.state,
      ...(this.error !== undefined ? { error: this.error } : {}),
      depth: this.depth,
      ancestors: this.ancestors,
      children: this.children,
      calls: this.calls,
    };
  }

  static taskSnapshot(task: TaskRecord): TaskSnapshot {
    const { timer: _timer, joinTimer: _joinTimer, ...rest } = task;
    return rest;
  }

  /** Rebuilds a stored workflow; call resume() to carry on running it. */
  static restore(snapshot: RunSnapshot, tasks: TaskSnapshot[], effects: RunEffects, clock: Clock = systemClock): WorkflowRun {
    const run = new WorkflowRun(snapshot.id, snapshot.spec, effects, { depth: snapshot.depth, ancestors: snapshot.ancestors, clock });
    run.createdAtMs = snapshot.createdAtMs;
    run.state = snapshot.state;
    if (snapshot.finishedAtMs !== undefined) run.finishedAtMs = snapshot.finishedAtMs;
    if (snapshot.error !== undefined) run.error = snapshot.error;
    run.children.push(...snapshot.children);
    run.calls = snapshot.calls;
    for (const task of tasks) run.tasks.set(task.spec.id, { ...task });
    for (const task of run.tasks.values()) {
      if (task.spec.shareable && task.attempt > 0 && !task.sharedFrom && task.state !== "failed" && task.state !== "cancelled") {
        run.#leaders.set(run.#callKey(task), task.spec.id);
      }
    }
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
      } else if (task.state === "queued" || task.state === "running") {
        if (task.spec.pool === "synth" || task.spec.forEach) this.#go(task);
        else if (task.sharedFrom) this.#followSharedAfterResume(task);
        else if (this.#mayResend(task)) void this.#dispatch(task, true);
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
      if (task.spec.shareable && task.output) this.#effects.shareResult(this.#callKey(task), task.output);
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
    if (task.items) return this.#fanOutOutput(task, true);
    if (task.outputRef) return this.#effects.loadOutput(task.outputRef);
    return task.output;
  }

  /** The output as kept in memory (large ones as a reference), for listings. */
  storedOutput(task: TaskRecord): Record<string, unknown> | undefined {
    if (task.items && task.state === "succeeded") return this.#fanOutOutput(task, false) as Record<string, unknown>;
    if (task.outputRef) return { $ref: task.outputRef.name, bytes: task.outputRef.bytes };
    return task.output;
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
      const from = this.tasks.get(forEach.from)!;
      items = itemsAt(await this.outputOf(from), forEach.items);
    } catch (err) {
      this.#failTask(task, errorShape(err, ErrorCode.FAILED_PRECONDITION));
      return;
    }
    if (this.done || task.state !== "running") return;
    const { taken, dropped, skipped } = selectItems(items, forEach);
    task.skipped = skipped;
    if (this.calls + taken.length > this.spec.maxCalls) {
      this.#failTask(task, {
        code: ErrorCode.RESOURCE_EXHAUSTED,
        message: `fan-out of ${taken.length} items would bring the workflow to ${this.calls + taken.length} calls; limits.maxCalls is ${this.spec.maxCalls} (lower forEach.maxItems or raise limits.maxCalls)`,
        retryable: false,
      });
      return;
    }
    task.dropped = dropped;
    task.items = [];
    task.joinStartedAtMs = this.#clock.now();
    this.#emit({ kind: "task.progress", ...this.#taskFields(task), message: `fan-out over ${taken.length} items${task.dropped ? ` (${task.dropped} over the cap dropped)` : ""}`, progress: { items: taken.length, dropped: task.dropped } });
    taken.forEach((item, index) => {
      const id = `${task.spec.id}[${index}]`;
      const spec: ValidTask = { ...task.spec, id, dependsOn: [], fanIn: JOIN_ALL, templated: true };
      delete spec.forEach;
      task.items!.push(id);
      this.tasks.set(id, { spec, state: "pending", attempt: 0, itemOf: { parent: task.spec.id, index, item } });
    });
    this.#armItemsDeadline(task);
    for (const id of task.items) this.#go(this.tasks.get(id)!);
    this.#evaluateFanOut(task);
    this.#effects.changed(this);
  }

  async #runSynth(task: TaskRecord): Promise<void> {
    task.state = "running";
    task.attempt += 1;
    task.startedAtMs = this.#clock.now();
    this.#emit({ kind: "task.started", ...this.#taskFields(task), worker: "coordinator" });
    try {
      const args = await this.#filledArgs(task);
      const from = (args.from as string[] | undefined) ?? task.spec.dependsOn;
      const inputs: SynthInput[] = [];
      for (const id of from) {
        const dep = this.tasks.get(id);
        if (!dep || dep.state !== "succeeded") continue;
        if (dep.items) {
          for (const itemId of dep.items) {
            const item = this.tasks.get(itemId)!;
            const output = item.state === "succeeded" ? await this.outputOf(item) : undefined;
            if (output) inputs.push({ source: itemId, tool: dep.spec.tool, item: item.itemOf!.item, output });
          }
        } else {
          const output = await this.outputOf(dep);
          if (output) inputs.push({ source: id, tool: dep.spec.tool, output });
        }
      }
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

  #callKey(task: TaskRecord): string {
    return `${task.spec.tool} ${canonicalJson(task.spec.args)}`;
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
    const key = this.#callKey(task);
    const cached = this.#effects.sharedResult(key);
    if (cached) {
      task.sharedFrom = "cache";
      task.output = cached;
      task.startedAtMs = task.finishedAtMs = this.#clock.now();
      this.#succeed(task, 0);
      return true;
    }
    const leaderId = this.#leaders.get(key);
    const leader = leaderId ? this.tasks.get(leaderId) : undefined;
    if (!leader || leader.state === "failed" || leader.state === "cancelled") {
      this.#leaders.set(key, task.spec.id);
      return false;
    }
    task.sharedFrom = leader.spec.id;
    if (leader.state === "succeeded") {
      this.#copyOutcome(leader, task);
      return true;
    }
    task.state = "queued";
    task.queuedAtMs = this.#clock.now();
    const followers = this.#followers.get(leader.spec.id) ?? [];
    followers.push(task.spec.id);
    this.#followers.set(leader.spec.id, followers);
    return true;
  }

  #followSharedAfterResume(task: TaskRecord): void {
    const leader = this.tasks.get(task.sharedFrom!);
    if (leader && isTerminal(leader.state)) this.#copyOutcome(leader, task);
    else if (leader) this.#followers.set(leader.spec.id, [...(this.#followers.get(leader.spec.id) ?? []), task.spec.id]);
  }

  #copyOutcome(leader: TaskRecord, task: TaskRecord): void {
    task.startedAtMs = leader.startedAtMs;
    task.finishedAtMs = leader.finishedAtMs ?? this.#clock.now();
    task.worker = leader.worker;
    if (leader.state === "succeeded") {
      if (leader.outputRef) task.outputRef = leader.outputRef;
      else task.output = leader.output ?? {};
      this.#succeed(task, 0);
    } else {
      this.#failTask(task, leader.error ?? { code: ErrorCode.INTERNAL, message: `shared call "${leader.spec.id}" did not succeed`, retryable: false });
    }
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

  /**
   * After a restart an attempt may or may not have reached its pool: sending
   * it again is safe while JetStream's duplicate window (2 min) still drops a
   * copy with the same message id; older attempts wait for their deadline.
   */
  #mayResend(task: TaskRecord): boolean {
    return task.deadlineMs === undefined || this.#clock.now() - (task.queuedAtMs ?? 0) < 100_000;
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
    this.#emit({ kind: "task.queued", ...this.#taskFields(task) });
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

  #armAttemptTimer(task: TaskRecord, deadlineMs: number): void {
    const attempt = task.attempt;
    this.#clock.clearTimeout(task.timer);
    task.timer = this.#clock.setTimeout(() => this.#onDeadline(task, attempt), Math.max(0, deadlineMs - this.#clock.now()) + DEADLINE_GRACE_MS);
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
      this.#emit({ kind: "task.retrying", ...this.#taskFields(task), message: `${error.code}: ${error.message}; retrying in ${delay} ms` });
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
    this.#emit({ kind: "task.succeeded", ...this.#taskFields(task), durationMs, ...(task.worker ? { worker: task.worker } : {}), ...(task.sharedFrom ? { message: `shared the result of ${task.sharedFrom}` } : {}) });
    this.#settled(task);
  }

  #failTask(task: TaskRecord, error: ToolErrorShape): void {
    this.#clock.clearTimeout(task.timer);
    this.#clock.clearTimeout(task.joinTimer);
    task.state = "failed";
    task.error = error;
    task.finishedAtMs ??= this.#clock.now();
    this.#emit({ kind: "task.failed", ...this.#taskFields(task), message: `${error.code}: ${error.message}` });
    this.#settled(task);
  }

  #markCancelled(task: TaskRecord, reason: string, unneeded = false): void {
    const wasInPool = task.state === "queued" || task.state === "running";
    this.#clock.clearTimeout(task.timer);
    this.#clock.clearTimeout(task.joinTimer);
    if (wasInPool && !task.sharedFrom && task.spec.pool !== "synth" && !task.items) this.#effects.attemptEnded(this, task);
    task.state = "cancelled";
    task.unneeded = unneeded;
    task.error = { code: ErrorCode.CANCELLED, message: reason, retryable: false };
    task.finishedAtMs = this.#clock.now();
    this.#emit({ kind: "task.cancelled", ...this.#taskFields(task), message: reason });
  }

  /** A task reached a terminal state: tell whoever waits on it. */
  #settled(task: TaskRecord): void {
    for (const id of this.#followers.get(task.spec.id) ?? []) {
      const follower = this.tasks.get(id)!;
      if (!isTerminal(follower.state)) this.#copyOutcome(task, follower);
    }
    this.#followers.delete(task.spec.id);
    if (task.itemOf) this.#evaluateFanOut(this.tasks.get(task.itemOf.parent)!);
    for (const id of this.#dependents.get(task.spec.id) ?? []) this.#evaluateJoin(this.tasks.get(id)!);
    this.#checkDone();
  }

  #outcome(task: TaskRecord): MemberOutcome {
    if (task.state === "succeeded") return "succeeded";
    return isTerminal(task.state) ? "failed" : "open";
  }

  #evaluateJoin(task: TaskRecord): void {
    if (task.state !== "pending" || task.attempt > 0 || this.done) return;
    const deps = task.spec.dependsOn.map((id) => this.tasks.get(id)!);
    const policy = task.spec.forEach ? JOIN_ALL : task.spec.fanIn;
    const deadlinePassed = policy.mode === "deadline" && this.#clock.now() >= this.createdAtMs + policy.deadlineMs;
    const firstFailed = deps.find((d) => this.#outcome(d) === "failed")?.spec.id;
    const decision: JoinDecision = decideJoin(policy, countOutcomes(deps.map((d) => this.#outcome(d))), deadlinePassed, firstFailed);
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
    const items = task.items.map((id) => this.tasks.get(id)!);
    const policy = task.spec.fanIn;
    const deadlinePassed = policy.mode === "deadline" && this.#clock.now() >= (task.joinStartedAtMs ?? 0) + policy.deadlineMs;
    const firstFailed = items.find((i) => this.#outcome(i) === "failed")?.spec.id;
    const decision = decideJoin(policy, countOutcomes(items.map((i) => this.#outcome(i))), deadlinePassed, firstFailed);
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
    const policy = task.spec.fanIn;
    if (decision.kind === "go" && decision.cancelOpen) {
      for (const item of items) if (!isTerminal(item.state)) this.#cancelTask(item, `not needed: "${task.spec.id}" completed (${policy.mode})`);
    }
    if (decision.kind === "fail") {
      for (const item of items) if (!isTerminal(item.state)) this.#cancelTask(item, `"${task.spec.id}" failed`);
      const code = deadlinePassed ? ErrorCode.DEADLINE_EXCEEDED : (items.find((i) => i.error)?.error?.code as ErrorCode | undefined) ?? ErrorCode.FAILED_PRECONDITION;
      this.#failTask(task, { code, message: `fan-out: ${decision.reason.replace(/^dependency/, "item")}`, retryable: false });
      return;
    }
    task.finishedAtMs = this.#clock.now();
    this.#succeed(task, task.finishedAtMs - (task.startedAtMs ?? task.finishedAtMs));
  }

  #cancelTask(task: TaskRecord, reason: string): void {
    if (task.state === "queued" || task.state === "running") this.#effects.cancelRemote(this.id, task.spec.id, reason);
    if (task.items) for (const id of task.items) this.#cancelTask(this.tasks.get(id)!, reason);
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
   * Evaluates the join at `atMs` (wall clock). A timer can fire before
   * the clock reaches it (the event loop's clock is cached, and lags after a
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

  #fanOutOutput(task: TaskRecord, full: boolean): Promise<Record<string, unknown>> | Record<string, unknown> {
    const items = (task.items ?? []).map((id) => this.tasks.get(id)!);
    const summary = {
      succeeded: items.filter((i) => i.state === "succeeded").length,
      failed: items.filter((i) => i.state === "failed").length,
      cancelled: items.filter((i) => i.state === "cancelled").length,
      dropped: task.dropped ?? 0,
      skipped: task.skipped ?? 0,
    };
    const entry = (item: TaskRecord, output: Record<string, unknown> | undefined): Record<string, unknown> => ({
      index: item.itemOf!.index,
      item: item.itemOf!.item,
      ...(item.state === "succeeded" ? { output } : { error: item.error ?? { code: ErrorCode.CANCELLED, message: item.state } }),
    });
    if (!full) return { items: items.map((i) => entry(i, this.storedOutput(i))), ...summary };
    return Promise.all(items.map(async (i) => entry(i, i.state === "succeeded" ? await this.outputOf(i) : undefined))).then((entries) => ({ items: entries, ...summary }));
  }

  /**
   * Done when every task is terminal. A task that did not succeed fails the
   * workflow unless every task that depends on it joined tolerantly (not
   * "all") and succeeded anyway; fan-out items count through their parent.
   */
  #checkDone(): void {
    if (this.done) return;
    let failed = 0;
    let topLevel = 0;
    for (const task of this.tasks.values()) {
      if (!isTerminal(task.state)) return;
      if (task.itemOf) continue;
      topLevel += 1;
      if (task.state === "succeeded" || task.unneeded) continue;
      const dependents = (this.#dependents.get(task.spec.id) ?? []).map((id) => this.tasks.get(id)!);
      const absorbed = dependents.length > 0 && dependents.every((d) => d.spec.fanIn.mode !== "all" && !d.spec.forEach && d.state === "succeeded");
      if (!absorbed) failed += 1;
    }
    if (failed === 0) this.#finish("succeeded");
    else this.#finish("failed", `${failed} of ${topLevel} tasks did not succeed`);
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

  #taskFields(task: TaskRecord): Pick<EventMessage, "taskId" | "tool" | "pool" | "attempt" | "stage"> {
    return { taskId: task.spec.id, tool: task.spec.tool, pool: task.spec.pool, attempt: task.attempt, ...(task.spec.stage ? { stage: task.spec.stage } : {}) };
  }

  #emit(event: Omit<EventMessage, "workflowId" | "timeMs">): void {
    if (this.quiet) return;
    this.#effects.emit({ ...event, workflowId: this.id, timeMs: this.#clock.now() });
  }
}

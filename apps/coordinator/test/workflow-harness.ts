import type { EventMessage, ResultMessage, ToolErrorShape } from "@toolmesh/core";
import { JOIN_ALL, type FanInPolicy, type ValidTask, type ValidWorkflow } from "@toolmesh/spec";
import type { Clock, TimerHandle } from "../src/workflow/clock.js";
import type { OutputRef, RunEffects, SynthInput, TaskRecord, WorkflowRun } from "../src/workflow/run.js";

/** A clock whose time moves only when a test advances it, firing due timers in order. */
export class TestClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  constructor(startMs = 1_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (typeof handle === "number") this.#timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, running each timer that comes due at its own time. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = target;
  }
}

export interface Dispatched {
  taskId: string;
  attempt: number;
  args: Record<string, unknown>;
}

/** Effects that record what a run asks of the world; dispatched attempts leave at once with deadline now + timeoutMs. */
export class RecordingEffects implements RunEffects {
  readonly dispatched: Dispatched[] = [];
  readonly ended: string[] = [];
  readonly events: EventMessage[] = [];
  readonly remoteCancels: Array<{ taskId: string | undefined; reason: string }> = [];
  readonly shared = new Map<string, Record<string, unknown>>();
  readonly synthCalls: Array<{ tool: string; inputs: SynthInput[] }> = [];
  readonly stored = new Map<string, Record<string, unknown>>();
  finishedCount = 0;
  changedCount = 0;
  /** When set, dispatch rejects with it. */
  dispatchError: Error | undefined;

  constructor(readonly clock: TestClock) {}

  dispatch(_run: WorkflowRun, task: TaskRecord, onRelease: (deadlineMs: number) => void): Promise<void> {
    if (this.dispatchError) return Promise.reject(this.dispatchError);
    this.dispatched.push({ taskId: task.spec.id, attempt: task.attempt, args: task.spec.args });
    onRelease(this.clock.now() + task.spec.timeoutMs);
    return Promise.resolve();
  }
  attemptEnded(_run: WorkflowRun, task: TaskRecord): void {
    this.ended.push(`${task.spec.id}#${task.attempt}`);
  }
  runSynth(tool: string, _args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>> {
    this.synthCalls.push({ tool, inputs });
    return Promise.resolve({ merged: inputs.map((i) => i.output) });
  }
  loadOutput(ref: OutputRef): Promise<Record<string, unknown>> {
    const output = this.stored.get(ref.name);
    return output ? Promise.resolve(output) : Promise.reject(new Error(`no object ${ref.name}`));
  }
  sharedResult(key: string): Record<string, unknown> | undefined {
    return this.shared.get(key);
  }
  shareResult(key: string, output: Record<string, unknown>): void {
    this.shared.set(key, output);
  }
  emit(event: EventMessage): void {
    this.events.push(event);
  }
  cancelRemote(_workflowId: string, taskId: string | undefined, reason: string): void {
    this.remoteCancels.push({ taskId, reason });
  }
  changed(): void {
    this.changedCount += 1;
  }
  finished(): void {
    this.finishedCount += 1;
  }

  kinds(taskId?: string): string[] {
    return this.events.filter((e) => taskId === undefined || e.taskId === taskId).map((e) => e.kind);
  }
  dispatchedIds(): string[] {
    return this.dispatched.map((d) => `${d.taskId}#${d.attempt}`);
  }
}

export function task(id: string, extra: Partial<ValidTask> = {}): ValidTask {
  return {
    id,
    tool: "test.echo",
    pool: "test",
    args: { value: id },
    templated: false,
    dependsOn: [],
    timeoutMs: 5000,
    retry: { maxAttempts: 1, initialBackoffMs: 1000, multiplier: 2, maxBackoffMs: 10_000 },
    fanIn: JOIN_ALL,
    stage: "",
    shareable: false,
    ...extra,
  };
}

export function workflow(tasks: ValidTask[], extra: Partial<ValidWorkflow> = {}): ValidWorkflow {
  return { name: "unit", tasks, priority: 0, maxConcurrency: 0, maxCalls: 100, ...extra };
}

export function fanIn(mode: FanInPolicy["mode"], extra: Partial<FanInPolicy> = {}): FanInPolicy {
  return { mode, quorum: 0, deadlineMs: 0, ...extra };
}

/** Lets the run's promise chains (argument filling, dispatch, synthesis) settle; no timers involved. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** The result of the task's current attempt, as a worker would report it. */
export function resultOf(
  run: WorkflowRun,
  taskId: string,
  outcome: { output?: Record<string, unknown>; error?: ToolErrorShape } = {},
): ResultMessage {
  const record = run.tasks.get(taskId)!;
  return {
    workflowId: run.id,
    taskId,
    attempt: record.attempt,
    worker: "w1",
    startedAtMs: 1000,
    finishedAtMs: 1005,
    ...(outcome.error ? { error: outcome.error } : { output: outcome.output ?? { value: taskId } }),
  };
}

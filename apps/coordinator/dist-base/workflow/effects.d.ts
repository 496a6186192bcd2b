import type { EventMessage, ToolErrorShape } from "@toolmesh/core";
import type { SynthInput } from "@toolmesh/synthesis";
import type { Clock } from "./clock.js";
import type { WorkflowRun } from "./run.js";
import type { OutputRef, TaskRecord } from "./task-record.js";
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
 * The run as its parts (attempts, joins) see it: its surroundings and the
 * transitions that settle a task, which stay in WorkflowRun because every
 * settled task may move others.
 */
export interface RunInternals {
    readonly run: WorkflowRun;
    readonly tasks: ReadonlyMap<string, TaskRecord>;
    readonly effects: RunEffects;
    readonly clock: Clock;
    isDone(): boolean;
    dependentIds(taskId: string): readonly string[];
    emit(event: Omit<EventMessage, "workflowId" | "timeMs">): void;
    filledArgs(task: TaskRecord): Promise<Record<string, unknown>>;
    go(task: TaskRecord): void;
    succeed(task: TaskRecord, durationMs: number): void;
    failTask(task: TaskRecord, error: ToolErrorShape): void;
    /** Cancels a task no longer wanted (and a fan-out's items), then settles it. */
    cancelUnneeded(task: TaskRecord, reason: string): void;
}

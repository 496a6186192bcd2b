import { type ResultMessage } from "@toolmesh/core";
import { type ValidWorkflow } from "@toolmesh/spec";
import { type Clock } from "./clock.js";
import { type WorkflowStateName } from "./completion.js";
import type { RunEffects } from "./effects.js";
import { type RunSnapshot, type TaskSnapshot } from "./snapshot.js";
import { type OutputRef, type TaskRecord } from "./task-record.js";
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
 * Identical shareable calls run once. The workflow ends when nothing can move.
 */
export declare class WorkflowRun {
    #private;
    readonly id: string;
    readonly name: string;
    readonly spec: ValidWorkflow;
    createdAtMs: number;
    finishedAtMs?: number;
    state: WorkflowStateName;
    error?: string;
    readonly tasks: Map<string, TaskRecord>;
    /** Nesting: 0 for a client's workflow, parent's depth + 1 for a sub-agent's. */
    readonly depth: number;
    readonly ancestors: string[];
    readonly children: string[];
    /** Publishes no events (a single CallTool; its caller waits for the reply). */
    readonly quiet: boolean;
    /** Calls started so far (fan-out items included), against spec.maxCalls. */
    calls: number;
    constructor(id: string, workflow: ValidWorkflow, effects: RunEffects, options?: {
        quiet?: boolean;
        depth?: number;
        ancestors?: string[];
        clock?: Clock;
    });
    get done(): boolean;
    snapshot(): RunSnapshot;
    static taskSnapshot(task: TaskRecord): TaskSnapshot;
    /** Rebuilds a stored workflow; call resume() to carry on running it. */
    static restore(snapshot: RunSnapshot, tasks: TaskSnapshot[], effects: RunEffects, clock?: Clock): WorkflowRun;
    get priority(): number;
    get parent(): ValidWorkflow["parent"];
    start(): void;
    /**
     * Picks up after a coordinator restart: re-arms deadlines of attempts in
     * pools, re-queues what was waiting, and re-runs what was in the
     * coordinator's own hands (synthesis, expansion: both repeatable).
     */
    resume(): void;
    /** A worker reported that it began an attempt. */
    onStarted(taskId: string, attempt: number, worker: string | undefined, atMs: number): void;
    /** Returns false for a result that no longer matters (old attempt, duplicate, finished task). */
    onResult(result: ResultMessage & {
        outputRef?: OutputRef;
    }): boolean;
    cancel(reason: string): void;
    /** A task's output, read from the object store when it was large; a fan-out task's is assembled from its items. */
    outputOf(task: TaskRecord): Promise<Record<string, unknown> | undefined>;
    /** The output as kept in memory (large ones as a reference), for listings. */
    storedOutput(task: TaskRecord): Record<string, unknown> | undefined;
}

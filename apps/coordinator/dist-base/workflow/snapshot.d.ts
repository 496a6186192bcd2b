import type { ValidWorkflow } from "@toolmesh/spec";
import type { WorkflowStateName } from "./completion.js";
import type { TaskRecord } from "./task-record.js";
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
/** The run's fields a snapshot holds (WorkflowRun has them all). */
export interface SnapshotFields {
    readonly id: string;
    readonly name: string;
    readonly spec: ValidWorkflow;
    createdAtMs: number;
    finishedAtMs?: number;
    state: WorkflowStateName;
    error?: string;
    readonly depth: number;
    readonly ancestors: string[];
    readonly children: string[];
    calls: number;
    readonly tasks: Map<string, TaskRecord>;
}
export declare function runSnapshot(run: SnapshotFields): RunSnapshot;
export declare function taskSnapshot(task: TaskRecord): TaskSnapshot;
/** Puts stored state into a run made from the snapshot's spec (id, spec, depth and ancestors it has already). */
export declare function applySnapshot(run: SnapshotFields, snapshot: RunSnapshot, tasks: readonly TaskSnapshot[]): void;

import { ErrorCode, type EventMessage, type ToolErrorShape } from "@toolmesh/core";
import type { MemberOutcome, ValidTask } from "@toolmesh/spec";
import type { TimerHandle } from "./clock.js";
export type TaskStateName = "pending" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
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
    itemOf?: {
        parent: string;
        index: number;
        item: unknown;
    };
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
export declare function isTerminal(state: TaskStateName): boolean;
/** Queued or running: an attempt (or a coordinator-side step) is under way. */
export declare function isInFlight(task: TaskRecord): boolean;
/** How a task counts as a member of a join. */
export declare function memberOutcome(task: TaskRecord): MemberOutcome;
export declare function errorShape(err: unknown, fallback: ErrorCode): ToolErrorShape;
/** The fields every task event carries. */
export declare function taskFields(task: TaskRecord): Pick<EventMessage, "taskId" | "tool" | "pool" | "attempt" | "stage">;
/** Failed for good; an earlier finish time (a worker's) is kept. */
export declare function recordFailure(task: TaskRecord, error: ToolErrorShape, nowMs: number): void;
/** `unneeded`: cancelled because its join went ahead without it, which does not fail the workflow. */
export declare function recordCancellation(task: TaskRecord, reason: string, unneeded: boolean, nowMs: number): void;

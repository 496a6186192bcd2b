import { type ToolErrorShape } from "@toolmesh/core";
import type { RunInternals } from "./effects.js";
import { type TaskRecord } from "./task-record.js";
/**
 * Worker calls' attempts: handing one to its pool, its deadline, and what a
 * failed one leads to (another attempt after a backoff while the task's retry
 * policy allows and the error is retryable, else the task fails).
 */
export declare class Attempts {
    #private;
    constructor(run: RunInternals, random?: () => number);
    /** `sameAttempt`: send the current attempt again (after a restart) instead of a new one. */
    dispatch(task: TaskRecord, sameAttempt?: boolean): Promise<void>;
    /** Gives up on the current attempt a grace period after its deadline, unless a result came first. */
    armTimer(task: TaskRecord, deadlineMs: number): void;
    /** The current attempt failed: retry it after a backoff, or fail the task. */
    fail(task: TaskRecord, error: ToolErrorShape): void;
}

import type { RunInternals } from "./effects.js";
import { type TaskRecord } from "./task-record.js";
/**
 * Acts on join decisions: starts a task once its dependencies allow, closes
 * a fan-out once its items do, cancels members a tolerant join no longer
 * needs, and arms the timers of deadline joins.
 */
export declare class JoinEvaluator {
    #private;
    constructor(run: RunInternals);
    /** A pending task whose dependencies changed (or whose join deadline came). */
    evaluateJoin(task: TaskRecord): void;
    /** An expanded fan-out task whose items changed (or whose deadline came). */
    evaluateFanOut(task: TaskRecord): void;
    armJoinDeadline(task: TaskRecord): void;
    armItemsDeadline(task: TaskRecord): void;
}

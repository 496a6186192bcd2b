import { type ToolErrorShape } from "@toolmesh/core";
import type { RunInternals } from "./effects.js";
import { type TaskRecord } from "./task-record.js";
/** Identical calls (same tool, same filled arguments) have the same key. */
export declare function callKey(task: TaskRecord): string;
/**
 * Identical shareable calls within a workflow run once: the first is the
 * leader and goes to its pool; later ones follow it and take its outcome.
 * A leader that failed or was cancelled leads no longer: the next identical
 * call runs again rather than inherit a failure it might not have had.
 * A result kept by the engine (from another workflow) answers a call at once.
 */
export declare class SharedCalls {
    #private;
    constructor(run: RunInternals);
    /** After a restore: each call that went out (and did not end badly) leads its key again. */
    restoreLeaders(): void;
    /** True when the task got (or will get) another call's result instead of running; else it now leads its call. */
    share(task: TaskRecord): boolean;
    /** A follower restored in flight: its leader may have settled meanwhile. */
    followAfterResume(task: TaskRecord): void;
    /** `leader` settled: its followers take its outcome. */
    settleFollowers(leader: TaskRecord): void;
}
/**
 * Gives a follower its settled leader's times, worker and output; returns the
 * error it fails with when the leader did not succeed, else undefined.
 */
export declare function copyLeaderRecord(leader: TaskRecord, follower: TaskRecord, nowMs: number): ToolErrorShape | undefined;

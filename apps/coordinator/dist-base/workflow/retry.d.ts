import { RESEND_WINDOW_MS } from "@toolmesh/core";
import type { Retry } from "@toolmesh/spec";
import type { TaskRecord } from "./task-record.js";
/** Slack beyond a task's deadline before the coordinator stops waiting for the worker's own timeout result. */
export declare const DEADLINE_GRACE_MS = 1000;
/**
 * How long after queueing an attempt may be sent again under the same
 * message id: written with the duplicate window it must stay inside
 * (libs/core/src/wire-limits.ts, whose test asserts it).
 */
export { RESEND_WINDOW_MS };
/** Delay before attempt `nextAttempt` (2, 3, …), with ±20 % jitter so that retries of many tasks spread out. */
export declare function backoffMs(retry: Retry, nextAttempt: number, random?: () => number): number;
/**
 * After a restart an attempt may or may not have reached its pool: sending
 * it again is safe while the duplicate window still drops a copy with the
 * same message id; older attempts wait for their deadline.
 */
export declare function mayResend(task: TaskRecord, nowMs: number): boolean;
/** Until the attempt counts as lost: its deadline plus the grace for the worker's own timeout result. */
export declare function attemptTimeoutMs(deadlineMs: number, nowMs: number): number;

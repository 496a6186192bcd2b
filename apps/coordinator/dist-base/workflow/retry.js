import { RESEND_WINDOW_MS } from "@toolmesh/core";
/** Slack beyond a task's deadline before the coordinator stops waiting for the worker's own timeout result. */
export const DEADLINE_GRACE_MS = 1000;
/**
 * How long after queueing an attempt may be sent again under the same
 * message id: written with the duplicate window it must stay inside
 * (libs/core/src/wire-limits.ts, whose test asserts it).
 */
export { RESEND_WINDOW_MS };
/** Delay before attempt `nextAttempt` (2, 3, …), with ±20 % jitter so that retries of many tasks spread out. */
export function backoffMs(retry, nextAttempt, random = Math.random) {
    const base = Math.min(retry.maxBackoffMs, retry.initialBackoffMs * retry.multiplier ** (nextAttempt - 2));
    return Math.round(base * (0.8 + random() * 0.4));
}
/**
 * After a restart an attempt may or may not have reached its pool: sending
 * it again is safe while the duplicate window still drops a copy with the
 * same message id; older attempts wait for their deadline.
 */
export function mayResend(task, nowMs) {
    return task.deadlineMs === undefined || nowMs - (task.queuedAtMs ?? 0) < RESEND_WINDOW_MS;
}
/** Until the attempt counts as lost: its deadline plus the grace for the worker's own timeout result. */
export function attemptTimeoutMs(deadlineMs, nowMs) {
    return Math.max(0, deadlineMs - nowMs) + DEADLINE_GRACE_MS;
}
//# sourceMappingURL=retry.js.map
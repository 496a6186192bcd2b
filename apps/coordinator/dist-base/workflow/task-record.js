import { ErrorCode, ToolError } from "@toolmesh/core";
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
export function isTerminal(state) {
    return TERMINAL.has(state);
}
/** Queued or running: an attempt (or a coordinator-side step) is under way. */
export function isInFlight(task) {
    return task.state === "queued" || task.state === "running";
}
/** How a task counts as a member of a join. */
export function memberOutcome(task) {
    if (task.state === "succeeded")
        return "succeeded";
    return isTerminal(task.state) ? "failed" : "open";
}
export function errorShape(err, fallback) {
    if (err instanceof ToolError)
        return err.toShape();
    return { code: fallback, message: err instanceof Error ? err.message : String(err), retryable: false };
}
/** The fields every task event carries. */
export function taskFields(task) {
    return {
        taskId: task.spec.id,
        tool: task.spec.tool,
        pool: task.spec.pool,
        attempt: task.attempt,
        ...(task.spec.stage ? { stage: task.spec.stage } : {}),
    };
}
/** Failed for good; an earlier finish time (a worker's) is kept. */
export function recordFailure(task, error, nowMs) {
    task.state = "failed";
    task.error = error;
    task.finishedAtMs ??= nowMs;
}
/** `unneeded`: cancelled because its join went ahead without it, which does not fail the workflow. */
export function recordCancellation(task, reason, unneeded, nowMs) {
    task.state = "cancelled";
    task.unneeded = unneeded;
    task.error = { code: ErrorCode.CANCELLED, message: reason, retryable: false };
    task.finishedAtMs = nowMs;
}
//# sourceMappingURL=task-record.js.map
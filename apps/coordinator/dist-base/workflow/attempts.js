import { ErrorCode, ToolError } from "@toolmesh/core";
import { attemptTimeoutMs, backoffMs } from "./retry.js";
import { errorShape, isTerminal, taskFields } from "./task-record.js";
/**
 * Worker calls' attempts: handing one to its pool, its deadline, and what a
 * failed one leads to (another attempt after a backoff while the task's retry
 * policy allows and the error is retryable, else the task fails).
 */
export class Attempts {
    #run;
    #random;
    constructor(run, random = Math.random) {
        this.#run = run;
        this.#random = random;
    }
    /** `sameAttempt`: send the current attempt again (after a restart) instead of a new one. */
    async dispatch(task, sameAttempt = false) {
        if (!sameAttempt)
            task.attempt += 1;
        task.state = "queued";
        delete task.error;
        const attempt = task.attempt;
        try {
            await this.#run.filledArgs(task);
        }
        catch (err) {
            this.#run.failTask(task, errorShape(err, ErrorCode.INVALID_ARGUMENT));
            return;
        }
        this.#run.emit({ kind: "task.queued", ...taskFields(task) });
        this.#run.effects
            .dispatch(this.#run.run, task, (deadlineMs) => {
            task.queuedAtMs = this.#run.clock.now();
            task.deadlineMs = deadlineMs;
            this.armTimer(task, deadlineMs);
        })
            .catch((err) => {
            if (task.attempt !== attempt || isTerminal(task.state))
                return;
            this.#run.clock.clearTimeout(task.timer);
            this.#run.effects.attemptEnded(this.#run.run, task);
            const message = `could not queue the task on pool ${task.spec.pool}: ${err instanceof Error ? err.message : String(err)}`;
            this.fail(task, err instanceof ToolError ? err.toShape() : { code: ErrorCode.UNAVAILABLE, message, retryable: true });
        });
    }
    /** Gives up on the current attempt a grace period after its deadline, unless a result came first. */
    armTimer(task, deadlineMs) {
        const attempt = task.attempt;
        const clock = this.#run.clock;
        clock.clearTimeout(task.timer);
        task.timer = clock.setTimeout(() => this.#onDeadline(task, attempt), attemptTimeoutMs(deadlineMs, clock.now()));
    }
    /** The current attempt failed: retry it after a backoff, or fail the task. */
    fail(task, error) {
        task.error = error;
        if (error.retryable && task.attempt < task.spec.retry.maxAttempts && !this.#run.isDone()) {
            const delay = backoffMs(task.spec.retry, task.attempt + 1, this.#random);
            task.state = "pending";
            this.#run.emit({ kind: "task.retrying", ...taskFields(task), message: `${error.code}: ${error.message}; retrying in ${delay} ms` });
            task.timer = this.#run.clock.setTimeout(() => {
                if (!this.#run.isDone() && task.state === "pending")
                    void this.dispatch(task);
            }, delay);
            return;
        }
        this.#run.failTask(task, error);
    }
    #onDeadline(task, attempt) {
        if (task.attempt !== attempt || isTerminal(task.state))
            return;
        const { run, effects } = this.#run;
        effects.cancelRemote(run.id, task.spec.id, "deadline exceeded");
        effects.attemptEnded(run, task);
        this.fail(task, {
            code: ErrorCode.DEADLINE_EXCEEDED,
            message: `no result within ${task.spec.timeoutMs} ms (attempt ${attempt}); raise timeoutMs or check the ${task.spec.pool} pool's workers`,
            retryable: true,
        });
        effects.changed(run);
    }
}
//# sourceMappingURL=attempts.js.map
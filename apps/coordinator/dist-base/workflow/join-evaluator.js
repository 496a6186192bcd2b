import { ErrorCode } from "@toolmesh/core";
import { JOIN_ALL } from "@toolmesh/spec";
import { fanOutFailure } from "./fan-out.js";
import { decideMembers, joinDeadlinePassed } from "./joins.js";
import { isTerminal } from "./task-record.js";
/**
 * Acts on join decisions: starts a task once its dependencies allow, closes
 * a fan-out once its items do, cancels members a tolerant join no longer
 * needs, and arms the timers of deadline joins.
 */
export class JoinEvaluator {
    #run;
    /** Fan-out tasks being closed right now. */
    #closing = new Set();
    constructor(run) {
        this.#run = run;
    }
    /** A pending task whose dependencies changed (or whose join deadline came). */
    evaluateJoin(task) {
        const run = this.#run;
        if (task.state !== "pending" || task.attempt > 0 || run.isDone())
            return;
        const deps = task.spec.dependsOn.map((id) => run.tasks.get(id));
        const policy = task.spec.forEach ? JOIN_ALL : task.spec.fanIn;
        const decision = decideMembers(policy, deps, joinDeadlinePassed(policy, run.run.createdAtMs, run.clock.now()));
        if (decision.kind === "wait")
            return;
        run.clock.clearTimeout(task.joinTimer);
        if (decision.kind === "fail") {
            run.failTask(task, { code: ErrorCode.FAILED_PRECONDITION, message: decision.reason, retryable: false });
            return;
        }
        // Go first: cancelling the rest settles them, which re-evaluates this join.
        run.go(task);
        if (decision.cancelOpen) {
            for (const dep of deps) {
                // Only a dependency nobody else waits for is no longer wanted.
                if (!isTerminal(dep.state) && run.dependentIds(dep.spec.id).every((id) => id === task.spec.id)) {
                    run.cancelUnneeded(dep, `not needed: "${task.spec.id}" went ahead (${policy.mode})`);
                }
            }
        }
    }
    /** An expanded fan-out task whose items changed (or whose deadline came). */
    evaluateFanOut(task) {
        if (task.state !== "running" || !task.items || this.#closing.has(task.spec.id))
            return;
        const items = task.items.map((id) => this.#run.tasks.get(id));
        const deadlinePassed = joinDeadlinePassed(task.spec.fanIn, task.joinStartedAtMs ?? 0, this.#run.clock.now());
        const decision = decideMembers(task.spec.fanIn, items, deadlinePassed);
        if (decision.kind === "wait")
            return;
        this.#run.clock.clearTimeout(task.joinTimer);
        // Cancelling open items settles them, which would evaluate this again.
        this.#closing.add(task.spec.id);
        try {
            this.#closeFanOut(task, items, decision, deadlinePassed);
        }
        finally {
            this.#closing.delete(task.spec.id);
        }
    }
    armJoinDeadline(task) {
        if (task.spec.forEach || task.spec.fanIn.mode !== "deadline")
            return;
        this.#armDeadline(task, this.#run.run.createdAtMs + task.spec.fanIn.deadlineMs, () => this.evaluateJoin(task));
    }
    armItemsDeadline(task) {
        if (task.spec.fanIn.mode !== "deadline")
            return;
        this.#armDeadline(task, (task.joinStartedAtMs ?? this.#run.clock.now()) + task.spec.fanIn.deadlineMs, () => this.evaluateFanOut(task));
    }
    #closeFanOut(task, items, decision, deadlinePassed) {
        const run = this.#run;
        if (decision.kind === "go" && decision.cancelOpen) {
            for (const item of items)
                if (!isTerminal(item.state))
                    run.cancelUnneeded(item, `not needed: "${task.spec.id}" completed (${task.spec.fanIn.mode})`);
        }
        if (decision.kind === "fail") {
            for (const item of items)
                if (!isTerminal(item.state))
                    run.cancelUnneeded(item, `"${task.spec.id}" failed`);
            run.failTask(task, fanOutFailure(items, decision.reason, deadlinePassed));
            return;
        }
        task.finishedAtMs = run.clock.now();
        run.succeed(task, task.finishedAtMs - (task.startedAtMs ?? task.finishedAtMs));
    }
    /**
     * Evaluates the join at `atMs` (wall clock). A timer can fire before the
     * clock reaches it (the event loop's clock is cached, and lags after a
     * long synchronous stretch), when the join would still see "wait" and
     * nothing would look again: then it is armed again for the rest.
     */
    #armDeadline(task, atMs, evaluate) {
        const clock = this.#run.clock;
        task.joinTimer = clock.setTimeout(() => {
            if (clock.now() < atMs)
                return this.#armDeadline(task, atMs, evaluate);
            evaluate();
            this.#run.effects.changed(this.#run.run);
        }, Math.max(0, atMs - clock.now()));
    }
}
//# sourceMappingURL=join-evaluator.js.map
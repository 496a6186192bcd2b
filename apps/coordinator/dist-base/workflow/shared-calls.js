import { ErrorCode } from "@toolmesh/core";
import { canonicalJson } from "@toolmesh/spec";
import { fillArgs } from "./task-args.js";
import { isTerminal } from "./task-record.js";
/** Identical calls (same tool, same filled arguments) have the same key. */
export function callKey(task) {
    return `${task.spec.tool} ${canonicalJson(task.spec.args)}`;
}
/**
 * Identical shareable calls within a workflow run once: the first is the
 * leader and goes to its pool; later ones follow it and take its outcome.
 * A leader that failed or was cancelled leads no longer: the next identical
 * call runs again rather than inherit a failure it might not have had.
 * A result kept by the engine (from another workflow) answers a call at once.
 */
export class SharedCalls {
    #run;
    /** Call key → the task that runs it. */
    #leaders = new Map();
    /** Leader's task id → the tasks waiting on it. */
    #followers = new Map();
    constructor(run) {
        this.#run = run;
    }
    /** After a restore: each call that went out (and did not end badly) leads its key again. */
    restoreLeaders() {
        for (const task of this.#run.tasks.values()) {
            if (task.spec.shareable && task.attempt > 0 && !task.sharedFrom && task.state !== "failed" && task.state !== "cancelled") {
                this.#leaders.set(callKey(task), task.spec.id);
            }
        }
    }
    /** True when the task got (or will get) another call's result instead of running; else it now leads its call. */
    share(task) {
        const run = this.#run;
        if (task.spec.templated) {
            try {
                fillArgs(task, run.tasks);
            }
            catch {
                return false;
            }
        }
        const key = callKey(task);
        const cached = run.effects.sharedResult(key);
        if (cached) {
            task.sharedFrom = "cache";
            task.output = cached;
            task.startedAtMs = task.finishedAtMs = run.clock.now();
            run.succeed(task, 0);
            return true;
        }
        const leaderId = this.#leaders.get(key);
        const leader = leaderId ? run.tasks.get(leaderId) : undefined;
        if (!leader || leader.state === "failed" || leader.state === "cancelled") {
            this.#leaders.set(key, task.spec.id);
            return false;
        }
        task.sharedFrom = leader.spec.id;
        if (leader.state === "succeeded") {
            this.#copyOutcome(leader, task);
            return true;
        }
        task.state = "queued";
        task.queuedAtMs = run.clock.now();
        this.#follow(leader.spec.id, task.spec.id);
        return true;
    }
    /** A follower restored in flight: its leader may have settled meanwhile. */
    followAfterResume(task) {
        const leader = this.#run.tasks.get(task.sharedFrom);
        if (leader && isTerminal(leader.state))
            this.#copyOutcome(leader, task);
        else if (leader)
            this.#follow(leader.spec.id, task.spec.id);
    }
    /** `leader` settled: its followers take its outcome. */
    settleFollowers(leader) {
        for (const id of this.#followers.get(leader.spec.id) ?? []) {
            const follower = this.#run.tasks.get(id);
            if (!isTerminal(follower.state))
                this.#copyOutcome(leader, follower);
        }
        this.#followers.delete(leader.spec.id);
    }
    #follow(leaderId, followerId) {
        this.#followers.set(leaderId, [...(this.#followers.get(leaderId) ?? []), followerId]);
    }
    #copyOutcome(leader, follower) {
        const error = copyLeaderRecord(leader, follower, this.#run.clock.now());
        if (error)
            this.#run.failTask(follower, error);
        else
            this.#run.succeed(follower, 0);
    }
}
/**
 * Gives a follower its settled leader's times, worker and output; returns the
 * error it fails with when the leader did not succeed, else undefined.
 */
export function copyLeaderRecord(leader, follower, nowMs) {
    follower.startedAtMs = leader.startedAtMs;
    follower.finishedAtMs = leader.finishedAtMs ?? nowMs;
    follower.worker = leader.worker;
    if (leader.state !== "succeeded") {
        return leader.error ?? { code: ErrorCode.INTERNAL, message: `shared call "${leader.spec.id}" did not succeed`, retryable: false };
    }
    if (leader.outputRef)
        follower.outputRef = leader.outputRef;
    else
        follower.output = leader.output ?? {};
    return undefined;
}
//# sourceMappingURL=shared-calls.js.map
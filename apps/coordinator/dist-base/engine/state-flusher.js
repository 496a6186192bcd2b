import { setTimeout as sleep } from "node:timers/promises";
/**
 * Stores changed runs in batches and acks the results that changed them
 * only once those saves landed, so a coordinator that dies in between
 * leaves the results in TM_RESULTS for its successor.
 */
export class StateFlusher {
    #dirty = new Set();
    #pendingAcks = [];
    #flushing;
    #flushAgain = false;
    #failures = 0;
    #opts;
    constructor(options) {
        this.#opts = { maxFailures: 8, initialBackoffMs: 500, maxBackoffMs: 10_000, sleep, ...options };
    }
    changed(run) {
        this.#dirty.add(run);
        this.schedule();
    }
    ackAfterSave(msg) {
        this.#pendingAcks.push(msg);
        this.schedule();
    }
    /** Resolves once the flush in progress (if any) has ended. */
    get idle() {
        return this.#flushing ?? Promise.resolve();
    }
    schedule() {
        if (this.#flushing) {
            this.#flushAgain = true;
            return;
        }
        this.#flushing = new Promise((resolve) => setImmediate(resolve))
            .then(() => this.#flush())
            .finally(() => {
            this.#flushing = undefined;
            if (this.#flushAgain) {
                this.#flushAgain = false;
                this.schedule();
            }
        });
    }
    async #flush() {
        const runs = [...this.#dirty];
        this.#dirty.clear();
        const acks = this.#pendingAcks.splice(0);
        if (runs.length === 0 && acks.length === 0)
            return;
        try {
            await Promise.all(runs.map((run) => this.#opts.store.save(run)));
            this.#failures = 0;
            for (const msg of acks)
                msg.ack();
        }
        catch (err) {
            this.#failures++;
            if (this.#failures >= this.#opts.maxFailures) {
                this.#giveUp(runs, err);
                return;
            }
            const delay = Math.min(this.#opts.maxBackoffMs, this.#opts.initialBackoffMs * 2 ** (this.#failures - 1));
            this.#opts.log.warn({ err, failures: this.#failures, retryInMs: delay }, "could not store workflow state; retrying before acking results");
            for (const run of runs)
                this.#dirty.add(run);
            this.#pendingAcks.unshift(...acks);
            await this.#opts.sleep(delay);
            this.#flushAgain = true;
        }
    }
    /**
     * A workflow whose state cannot be stored must not keep dispatching work
     * a successor would not know of, so it is cancelled with the reason. The
     * results waiting on the save stay unacked: JetStream redelivers them to
     * whichever coordinator leads once the store is back.
     */
    #giveUp(runs, err) {
        const failures = this.#failures;
        this.#failures = 0;
        this.#opts.log.error({ err, failures, workflows: runs.map((r) => r.id) }, "could not store workflow state; cancelling the unsaved workflows");
        for (const run of runs)
            if (!run.done)
                run.cancel(`workflow state could not be stored after ${failures} attempts: ${err instanceof Error ? err.message : String(err)}`);
    }
}
//# sourceMappingURL=state-flusher.js.map
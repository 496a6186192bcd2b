/**
 * Holds ready attempts in the coordinator and releases them to their pool's
 * work queue while the pool has room (`window`: what its workers can run,
 * with some slack so pulls never starve) and the workflow is under its own
 * concurrency cap. Higher priority first, then the order they became ready;
 * JetStream itself is FIFO, so priorities only mean something if the queue
 * in front of the workers stays short.
 */
export class DispatchScheduler {
    #waiting = new Map();
    #inPool = new Map();
    #perRun = new Map();
    /** "<run>/<task>/<attempt>" → pool, for attempts released and not yet ended. */
    #released = new Map();
    #window;
    constructor(window) {
        this.#window = window;
    }
    submit(request) {
        const queue = this.#waiting.get(request.pool) ?? [];
        // Stable insertion: after every entry of the same or higher priority.
        let index = queue.length;
        while (index > 0 && queue[index - 1].priority < request.priority)
            index -= 1;
        queue.splice(index, 0, request);
        this.#waiting.set(request.pool, queue);
        this.#pump(request.pool);
    }
    /** The attempt left its pool (result, deadline, cancel): its slot is free. */
    ended(runId, taskId, attempt) {
        const key = `${runId}/${taskId}/${attempt}`;
        const pool = this.#released.get(key);
        if (!pool)
            return;
        this.#released.delete(key);
        this.#inPool.set(pool, (this.#inPool.get(pool) ?? 1) - 1);
        const left = (this.#perRun.get(runId) ?? 1) - 1;
        if (left <= 0)
            this.#perRun.delete(runId);
        else
            this.#perRun.set(runId, left);
        this.#pump(pool);
    }
    /** Attempts released to `pool` and not yet ended. */
    inPool(pool) {
        return this.#inPool.get(pool) ?? 0;
    }
    waiting(pool) {
        return this.#waiting.get(pool)?.length ?? 0;
    }
    /** Room may have opened (capacity grew): try every pool. */
    pumpAll() {
        for (const pool of this.#waiting.keys())
            this.#pump(pool);
    }
    #pump(pool) {
        const queue = this.#waiting.get(pool);
        if (!queue)
            return;
        let index = 0;
        while (index < queue.length && this.inPool(pool) < this.#window(pool)) {
            const request = queue[index];
            if (!request.stillWanted()) {
                queue.splice(index, 1);
                request.resolve();
                continue;
            }
            if (request.runCap > 0 && (this.#perRun.get(request.runId) ?? 0) >= request.runCap) {
                index += 1;
                continue;
            }
            queue.splice(index, 1);
            this.#released.set(`${request.runId}/${request.taskId}/${request.attempt}`, pool);
            this.#inPool.set(pool, this.inPool(pool) + 1);
            this.#perRun.set(request.runId, (this.#perRun.get(request.runId) ?? 0) + 1);
            request.release().then(request.resolve, request.reject);
        }
        if (queue.length === 0)
            this.#waiting.delete(pool);
    }
}
//# sourceMappingURL=scheduler.js.map
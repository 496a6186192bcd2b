/**
 * The workflows this coordinator holds in memory, kept in creation order so
 * that eviction (on every submit) walks from the oldest without sorting.
 * Runs nearly always arrive in that order; the few that do not (resumed runs,
 * finished runs read back from the store) mark the map for one re-sort.
 */
export class RunRegistry {
    keep;
    #runs = new Map();
    #newestMs = -Infinity;
    #inOrder = true;
    constructor(keep) {
        this.keep = keep;
    }
    get(id) {
        return this.#runs.get(id);
    }
    has(id) {
        return this.#runs.has(id);
    }
    add(run) {
        this.#runs.set(run.id, run);
        if (run.createdAtMs < this.#newestMs)
            this.#inOrder = false;
        else
            this.#newestMs = run.createdAtMs;
    }
    values() {
        return this.#runs.values();
    }
    /** Newest first, as ListWorkflows promises. */
    list(limit) {
        return [...this.#oldestFirst()].reverse().slice(0, limit);
    }
    /** Keeps memory bounded: forgets the oldest finished workflows. */
    evictFinished() {
        if (this.#runs.size <= this.keep)
            return;
        for (const run of this.#oldestFirst()) {
            if (this.#runs.size <= this.keep)
                break;
            if (run.done)
                this.#runs.delete(run.id);
        }
    }
    #oldestFirst() {
        if (!this.#inOrder) {
            this.#runs = new Map([...this.#runs].sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs));
            this.#inOrder = true;
        }
        return this.#runs.values();
    }
}
//# sourceMappingURL=run-registry.js.map
import type { WorkflowRun } from "../workflow/run.js";
/**
 * The workflows this coordinator holds in memory, kept in creation order so
 * that eviction (on every submit) walks from the oldest without sorting.
 * Runs nearly always arrive in that order; the few that do not (resumed runs,
 * finished runs read back from the store) mark the map for one re-sort.
 */
export declare class RunRegistry {
    #private;
    private readonly keep;
    constructor(keep: number);
    get(id: string): WorkflowRun | undefined;
    has(id: string): boolean;
    add(run: WorkflowRun): void;
    values(): IterableIterator<WorkflowRun>;
    /** Newest first, as ListWorkflows promises. */
    list(limit: number): WorkflowRun[];
    /** Keeps memory bounded: forgets the oldest finished workflows. */
    evictFinished(): void;
}

import type { JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@toolmesh/core";
import type { WorkflowStore } from "../store/workflow-store.js";
import type { WorkflowRun } from "../workflow/run.js";
export interface StateFlusherOptions {
    store: Pick<WorkflowStore, "save">;
    log: Logger;
    /** Consecutive failed saves before the unsaved workflows are cancelled. */
    maxFailures?: number;
    initialBackoffMs?: number;
    maxBackoffMs?: number;
    sleep?: (ms: number) => Promise<unknown>;
}
/**
 * Stores changed runs in batches and acks the results that changed them
 * only once those saves landed, so a coordinator that dies in between
 * leaves the results in TM_RESULTS for its successor.
 */
export declare class StateFlusher {
    #private;
    constructor(options: StateFlusherOptions);
    changed(run: WorkflowRun): void;
    ackAfterSave(msg: JsMsg): void;
    /** Resolves once the flush in progress (if any) has ended. */
    get idle(): Promise<void>;
    schedule(): void;
}

import type { Logger } from "@toolmesh/core";
export interface SupervisedLoopOptions<T> {
    /** The source opened by the caller, so that a failure to open it at all reaches the caller. */
    first: AsyncIterable<T>;
    /** Opens a fresh message source after the previous one ended. */
    open(): Promise<AsyncIterable<T>>;
    handle(item: T): void;
    stopping(): boolean;
    log: Logger;
    initialBackoffMs?: number;
    maxBackoffMs?: number;
    sleep?: (ms: number) => Promise<unknown>;
    /** Cuts a backoff short, so stopping the engine does not wait out a restart delay. */
    signal?: AbortSignal;
}
/**
 * Keeps the results loop alive. A loop that ends while the engine still
 * leads is restarted in-process with backoff rather than exiting: the
 * coordinator still holds its workflows and lease, and unacked results wait
 * in TM_RESULTS, so reopening the consumer loses nothing, whereas a process
 * exit would force a failover and a full resume for a transient hiccup.
 */
export declare function superviseLoop<T>(options: SupervisedLoopOptions<T>): Promise<void>;

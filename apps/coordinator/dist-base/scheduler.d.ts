import type { PoolName } from "@toolmesh/core";
/** One attempt waiting to leave the coordinator for its pool. */
export interface DispatchRequest {
    runId: string;
    taskId: string;
    attempt: number;
    pool: PoolName;
    priority: number;
    /** 0: no cap beyond the pool's. */
    runCap: number;
    /** False once the attempt is no longer wanted (cancelled while it waited). */
    stillWanted(): boolean;
    /** Publishes the attempt; called when it is released. */
    release(): Promise<void>;
    /** The waiting caller's promise settlers (free functions, passed on unbound). */
    resolve: () => void;
    reject: (err: unknown) => void;
}
/**
 * Holds ready attempts in the coordinator and releases them to their pool's
 * work queue while the pool has room (`window`: what its workers can run,
 * with some slack so pulls never starve) and the workflow is under its own
 * concurrency cap. Higher priority first, then the order they became ready;
 * JetStream itself is FIFO, so priorities only mean something if the queue
 * in front of the workers stays short.
 */
export declare class DispatchScheduler {
    #private;
    constructor(window: (pool: PoolName) => number);
    submit(request: DispatchRequest): void;
    /** The attempt left its pool (result, deadline, cancel): its slot is free. */
    ended(runId: string, taskId: string, attempt: number): void;
    /** Attempts released to `pool` and not yet ended. */
    inPool(pool: PoolName): number;
    waiting(pool: PoolName): number;
    /** Room may have opened (capacity grew): try every pool. */
    pumpAll(): void;
}

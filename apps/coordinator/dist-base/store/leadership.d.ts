import { type Logger } from "@toolmesh/core";
import { type Clock } from "../workflow/clock.js";
/** A stored version of the lease key, as the KV bucket returns it. */
export interface LeaseEntry {
    operation: "PUT" | "DEL" | "PURGE";
    value: Uint8Array;
    revision: number;
}
/**
 * What the lease needs of a KV bucket (a NATS KV is one): compare-and-set
 * writes that fail with JetStream's wrong-last-sequence error when another
 * writer got there first. Narrow, so tests can hold the lease in memory.
 */
export interface LeaseKv {
    get(key: string): Promise<LeaseEntry | null>;
    create(key: string, value: Uint8Array): Promise<number>;
    update(key: string, value: Uint8Array, revision: number): Promise<number>;
    delete(key: string, options: {
        previousSeq: number;
    }): Promise<void>;
}
export interface LeadershipOptions {
    kv: LeaseKv;
    instanceId: string;
    /** How long a lease lasts without renewal; renewed every third of it. */
    leaseMs: number;
    log: Logger;
    onElected(): Promise<void>;
    /** Another replica holds the lease we thought was ours: stop acting at once. */
    onLost(): void;
    /** Lease times and the renewal timer; the system clock unless a test drives time. */
    clock?: Clock;
}
/**
 * One active coordinator at a time: the lease is a KV key updated with
 * compare-and-set on its revision. The holder renews it; a standby takes it
 * over once it has expired (the holder died or hung). Clocks of replicas are
 * assumed to agree to well under a lease (NTP).
 */
export declare class Leadership {
    #private;
    constructor(options: LeadershipOptions);
    get isLeader(): boolean;
    /** The instance that held the lease when last seen. */
    get holder(): string | undefined;
    /** Starts campaigning; resolves after the first attempt (leader or standby). */
    start(): Promise<void>;
    /** Waits until this replica leads, or `timeoutMs` passes. */
    waitForLeadership(timeoutMs: number): Promise<boolean>;
    /** Stops renewing; a leader gives its lease up so a standby need not wait for it to expire. */
    stop(): Promise<void>;
}

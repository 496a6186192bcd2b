import { type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { type ObjectStore } from "@toolmesh/core";
import { type Clock } from "../workflow/clock.js";
import { WorkflowRun, type RunEffects } from "../workflow/run.js";
/** KV bucket of workflow state: one key per workflow, one per task. */
export declare const WORKFLOWS_BUCKET = "TM_WORKFLOWS";
/**
 * What the store needs of its KV bucket (a NATS KV is one). Narrow, so that
 * tests can keep workflow state in memory.
 */
export interface StateKv {
    get(key: string): Promise<{
        operation: "PUT" | "DEL" | "PURGE";
        value: Uint8Array;
    } | null>;
    put(key: string, value: Uint8Array): Promise<number>;
    /** Live keys matching a subject filter ("*" one token, ">" the rest). */
    keys(filter: string): Promise<AsyncIterable<string>>;
}
/**
 * Workflow state in JetStream KV, so that another coordinator can resume a
 * workflow after this one dies. Writes only what changed since the last
 * save; specs and outputs too large for a KV value go to the object store.
 * `K`: the bucket's type, handed on to the lease and the attempt secret
 * that live in the same bucket.
 */
export declare class WorkflowStore<K extends StateKv = KV> {
    #private;
    /** Over an open bucket; open() is the usual way in. */
    constructor(kv: K, outputs: ObjectStore, clock?: Clock);
    static open(nc: NatsConnection, outputs: ObjectStore): Promise<WorkflowStore>;
    get kv(): K;
    /** Writes what changed in `run` since its last save. */
    save(run: WorkflowRun): Promise<void>;
    /** A stored workflow, rebuilt (not resumed), or undefined. */
    load(id: string, effects: RunEffects): Promise<WorkflowRun | undefined>;
    /** Ids of stored workflows that have not finished. */
    running(): Promise<string[]>;
}

import type { JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type MetricsSnapshot } from "@toolmesh/core";
import type { PoolCapacity } from "@toolmesh/proto";
/**
 * Pool capacity as the metrics bus reports it: the latest snapshot of every
 * live instance (silent ones drop out after `staleMs`), plus each pool's
 * queue depth read from its JetStream consumer.
 */
export declare class CapacityView {
    #private;
    constructor(staleMs: number);
    start(nc: NatsConnection): void;
    stop(): void;
    live(): MetricsSnapshot[];
    pools(jsm: JetStreamManager): Promise<PoolCapacity[]>;
}

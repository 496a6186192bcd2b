import { type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type PoolName } from "@toolmesh/core";
/**
 * Creates (or checks) every stream, consumer and bucket the coordinator
 * uses, before it touches any of them. Returns the pools whose streams now exist.
 */
export declare function bootstrapStreams(nc: NatsConnection, resultAckWaitMs: number): Promise<{
    jsm: JetStreamManager;
    ensuredPools: Set<PoolName>;
}>;

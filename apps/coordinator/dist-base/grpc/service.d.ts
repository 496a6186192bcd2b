import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type CoordinatorServer } from "@toolmesh/proto";
import { type SpecLimits } from "@toolmesh/spec";
import type { CapacityView } from "../capacity.js";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { Engine } from "../engine.js";
export interface ServiceDeps {
    engine: Engine;
    nc: NatsConnection;
    capacity: CapacityView;
    js: JetStreamClient;
    jsm: JetStreamManager;
    metrics: CoordinatorMetrics;
    limits: SpecLimits;
    token: string | undefined;
    /** Why this replica cannot serve workflow calls (it is a standby), or undefined. */
    standbyReason(): string | undefined;
}
export declare function coordinatorService(deps: ServiceDeps): CoordinatorServer;

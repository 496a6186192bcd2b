import type { NatsConnection } from "@nats-io/transport-node";
import { type Logger } from "@toolmesh/core";
import type { Registry } from "prom-client";
import { type CoordinatorConfig } from "./config.js";
import { Engine } from "./engine.js";
import { type GrpcTransport, type ServerTls } from "./grpc/tls.js";
export interface RunningCoordinator {
    /** The bound gRPC port. */
    port: number;
    /** Plain text, TLS, or TLS with client certificates (mTLS). */
    transport: GrpcTransport;
    instanceId: string;
    /** This replica is the active one (holds the lease); otherwise a standby. */
    readonly leading: boolean;
    engine: Engine;
    registry: Registry;
    /** Stops accepting calls, then stops the engine (the NATS connection is the caller's). */
    close(): Promise<void>;
}
/**
 * Starts the coordinator on an open NATS connection: JetStream streams, the
 * engine, and the gRPC server with health and reflection.
 */
export interface CoordinatorOptions {
    registry?: Registry;
    /** Called when another replica took the lease: the process should exit (its supervisor restarts it as a standby). */
    onLeadershipLost?: () => void;
    /** How long start-up waits to become the leader before it carries on as a standby. */
    waitForLeadershipMs?: number;
    /** The gRPC port's credentials, when the caller checked them already (main does, before connecting to NATS). */
    tls?: ServerTls;
}
export declare function startCoordinator(config: CoordinatorConfig, nc: NatsConnection, log: Logger, options?: CoordinatorOptions): Promise<RunningCoordinator>;

import type { NatsConnection } from "@nats-io/transport-node";
import { type RuntimeToolEntry } from "@toolmesh/catalog";
import type { Logger } from "@toolmesh/core";
/** Follows TM_CATALOG until the returned function is called; resolves once the stored tools are known. */
export declare function followRuntimeTools(nc: NatsConnection, log: Logger): Promise<() => void>;
/** Every run-time tool known now, by name (for listings such as ListTools). */
export declare function runtimeToolEntries(): RuntimeToolEntry[];

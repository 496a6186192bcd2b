import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { type NatsConnection } from "@nats-io/transport-node";
import { type Logger, type PoolName } from "@toolmesh/core";
import type { Context } from "@opentelemetry/api";
import type { CoordinatorMetrics } from "../coordinator-metrics.js";
import type { AttemptTokens } from "../workflow/attempt-tokens.js";
import { type TaskRecord, type WorkflowRun } from "../workflow/run.js";
export interface TaskPublisherDeps {
    nc: NatsConnection;
    js: JetStreamClient;
    jsm: JetStreamManager;
    log: Logger;
    metrics: CoordinatorMetrics;
    tokens: AttemptTokens;
    /** Pools whose streams exist already. */
    ensuredPools: Set<PoolName>;
}
/** Puts one attempt of a task on its pool's work queue, stored before it counts as dispatched. */
export declare function publishTask(deps: TaskPublisherDeps, run: WorkflowRun, task: TaskRecord, deadlineMs: number, parent: Context): Promise<void>;

import { type Context } from "@opentelemetry/api";
import { type NatsConnection } from "@nats-io/transport-node";
import { type Logger } from "@toolmesh/core";
import { type ValidWorkflow } from "@toolmesh/spec";
import type { CapacityView } from "./capacity.js";
import type { CoordinatorMetrics } from "./coordinator-metrics.js";
import type { WorkflowStore } from "./store/workflow-store.js";
import { WorkflowRun, type OutputRef, type SynthInput } from "./workflow/run.js";
export interface EngineOptions {
    nc: NatsConnection;
    log: Logger;
    metrics: CoordinatorMetrics;
    capacity: CapacityView;
    store: WorkflowStore;
    resultAckWaitMs: number;
    keepWorkflows: number;
    /** How long results of shareable calls are reused across workflows; 0: only within a workflow. */
    shareTtlMs: number;
    runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
    loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
}
/**
 * Runs workflows over the buses: dispatches tasks to pool work queues,
 * consumes results, publishes events, broadcasts cancels. One span per
 * workflow is the parent of every dispatch, so a workflow is one trace.
 */
export declare class Engine {
    #private;
    constructor(options: EngineOptions);
    start(): Promise<void>;
    get leading(): boolean;
    /**
     * Becomes the active coordinator: resumes every stored unfinished
     * workflow, then consumes results (those that arrived while no
     * coordinator ran are waiting in TM_RESULTS).
     */
    lead(): Promise<void>;
    stop(): Promise<void>;
    /**
     * Starts a validated workflow under the caller's trace context. A
     * submitted workflow is stored before it starts, so an accepted workflow
     * survives this coordinator; quiet single calls are not stored.
     */
    submit(workflow: ValidWorkflow, parent?: Context, options?: {
        quiet?: boolean;
    }): Promise<WorkflowRun>;
    /** A workflow from memory, or a finished one from the store. */
    find(id: string): Promise<WorkflowRun>;
    list(limit: number): WorkflowRun[];
    /** Resolves when the workflow reaches a terminal state. */
    whenDone(run: WorkflowRun): Promise<WorkflowRun>;
}

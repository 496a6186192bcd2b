import type { NatsConnection } from "@nats-io/transport-node";
import type { LRUCache } from "lru-cache";
import type { DispatchScheduler } from "../scheduler.js";
import type { OutputRef, RunEffects, SynthInput, TaskRecord, WorkflowRun } from "../workflow/run.js";
import type { RunRegistry } from "./run-registry.js";
export interface NatsEffectsDeps {
    nc: NatsConnection;
    runs: RunRegistry;
    scheduler: DispatchScheduler;
    /** Absent at a share TTL of 0: lru-cache reads 0 as "never expires". */
    shared?: LRUCache<string, Record<string, unknown>>;
    publish(run: WorkflowRun, task: TaskRecord, deadlineMs: number): Promise<void>;
    runSynth(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Promise<Record<string, unknown>>;
    loadOutput(ref: OutputRef): Promise<Record<string, unknown>>;
    changed(run: WorkflowRun): void;
    finished(run: WorkflowRun): void;
}
/** What a WorkflowRun does to the world, over NATS: dispatch through the scheduler, events, cancels. */
export declare function natsEffects(deps: NatsEffectsDeps): RunEffects;

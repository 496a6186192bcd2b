import { type Context } from "@opentelemetry/api";
import type { WorkflowRun } from "../workflow/run.js";
/** One span per workflow, the parent of every dispatch, so a workflow is one trace. */
export declare class WorkflowTraces {
    #private;
    started(id: string, name: string, tasks: number, parent: Context): void;
    /** A resumed workflow's original trace is gone with its coordinator; it gets a new root. */
    resumed(id: string, name: string): void;
    /** The context a workflow's dispatches are traced under. */
    contextOf(id: string): Context;
    finished(run: WorkflowRun): void;
}

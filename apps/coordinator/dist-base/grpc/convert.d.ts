import { WorkflowState, type TaskStatus, type Workflow, type WorkflowEvent, type WorkflowSummary } from "@toolmesh/proto";
import type { EventMessage } from "@toolmesh/core";
import type { TaskRecord, WorkflowRun, WorkflowStateName } from "../workflow/run.js";
export declare function workflowState(state: WorkflowStateName): WorkflowState;
export declare function taskStatus(task: TaskRecord, run?: WorkflowRun): TaskStatus;
export declare function workflow(run: WorkflowRun): Workflow;
export declare function workflowSummary(run: WorkflowRun): WorkflowSummary;
export declare function workflowEvent(sequence: number, event: EventMessage): WorkflowEvent;
/** A live output chunk from tm.data.chunk.<workflow>.<task> as a TASK_OUTPUT event. */
export declare function outputEvent(workflowId: string, taskId: string, chunk: {
    stream: string;
    data: string;
    attempt: number;
}): WorkflowEvent;

import {
  eventTypeToJSON,
  taskStateToJSON,
  workflowStateToJSON,
  type TaskStatus,
  type Workflow,
  type WorkflowEvent,
  type WorkflowSummary,
} from "@toolmesh/proto";
import type { ConsoleEvent, TaskDetails, TaskRow, TaskStateName, WorkflowRow, WorkflowStateName, WorkflowView } from "./api-types.js";

const lower = (name: string, prefix: string): string => name.replace(prefix, "").toLowerCase();
const workflowState = (state: Workflow["state"]): WorkflowStateName =>
  lower(workflowStateToJSON(state), "WORKFLOW_STATE_") as WorkflowStateName;
export const taskState = (state: TaskStatus["state"]): TaskStateName => lower(taskStateToJSON(state), "TASK_STATE_") as TaskStateName;

export function workflowRow(summary: WorkflowSummary): WorkflowRow {
  return {
    id: summary.id,
    name: summary.name,
    state: workflowState(summary.state),
    createdAtMs: Number(summary.createdAtMs),
    finishedAtMs: Number(summary.finishedAtMs),
    tasks: summary.taskCount,
    done: summary.tasksDone,
    failed: summary.tasksFailed,
  };
}

export function taskRow(task: TaskStatus): TaskRow {
  return {
    id: task.id,
    tool: task.tool,
    pool: task.pool,
    state: taskState(task.state),
    attempt: task.attempt,
    ...(task.error ? { error: { code: task.error.code, message: task.error.message } } : {}),
    startedAtMs: Number(task.startedAtMs),
    finishedAtMs: Number(task.finishedAtMs),
    worker: task.worker,
    dependsOn: task.dependsOn,
    sharedFrom: task.sharedFrom,
    stage: task.stage,
  };
}

/** The workflow without outputs and arguments (those come per task): a 1,000-task workflow stays a small answer. */
export function workflowView(wf: Workflow, children: WorkflowView[] = []): WorkflowView {
  return {
    id: wf.id,
    name: wf.name,
    state: workflowState(wf.state),
    createdAtMs: Number(wf.createdAtMs),
    finishedAtMs: Number(wf.finishedAtMs),
    error: wf.error,
    ...(wf.parent?.workflowId ? { parent: { workflowId: wf.parent.workflowId, taskId: wf.parent.taskId } } : {}),
    traceId: wf.traceId,
    tasks: wf.tasks.map(taskRow),
    children,
  };
}

/** An output kept in the object store, as GetWorkflow shows it: {"$ref", "bytes"}. */
export function storedOutputBytes(output: unknown): number | undefined {
  if (!output || typeof output !== "object") return undefined;
  const ref = output as { $ref?: unknown; bytes?: unknown };
  return typeof ref.$ref === "string" ? Number(ref.bytes ?? 0) : undefined;
}

export function taskDetails(wf: Workflow, task: TaskStatus): TaskDetails {
  const outputBytes = storedOutputBytes(task.output);
  return {
    ...taskRow(task),
    workflowId: wf.id,
    traceId: wf.traceId,
    args: task.args ?? {},
    output: outputBytes === undefined ? task.output : undefined,
    ...(outputBytes === undefined ? {} : { outputBytes }),
  };
}

export function consoleEvent(event: WorkflowEvent): ConsoleEvent {
  return {
    workflowId: event.workflowId,
    sequence: Number(event.sequence),
    timeMs: Number(event.timeMs),
    type: lower(eventTypeToJSON(event.type), "EVENT_TYPE_"),
    taskId: event.taskId,
    tool: event.tool,
    pool: event.pool,
    attempt: event.attempt,
    message: event.message,
    worker: event.worker,
    durationMs: event.durationMs,
    parentWorkflowId: event.parentWorkflowId,
    parentTaskId: event.parentTaskId,
    ...(event.output ? { output: event.output } : {}),
  };
}

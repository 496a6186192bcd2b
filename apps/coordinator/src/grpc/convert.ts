import {
  EventType,
  TaskState,
  WorkflowState,
  type TaskStatus,
  type Workflow,
  type WorkflowEvent,
  type WorkflowSummary,
} from "@toolmesh/proto";
import type { EventKind, EventMessage } from "@toolmesh/core";
import type { TaskRecord, TaskStateName, WorkflowRun, WorkflowStateName } from "../workflow/run.js";

const TASK_STATE: Record<TaskStateName, TaskState> = {
  pending: TaskState.TASK_STATE_PENDING,
  queued: TaskState.TASK_STATE_QUEUED,
  running: TaskState.TASK_STATE_RUNNING,
  succeeded: TaskState.TASK_STATE_SUCCEEDED,
  failed: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELLED,
};

const WORKFLOW_STATE: Record<WorkflowStateName, WorkflowState> = {
  running: WorkflowState.WORKFLOW_STATE_RUNNING,
  succeeded: WorkflowState.WORKFLOW_STATE_SUCCEEDED,
  failed: WorkflowState.WORKFLOW_STATE_FAILED,
  cancelled: WorkflowState.WORKFLOW_STATE_CANCELLED,
};

const EVENT_TYPE: Record<EventKind, EventType> = {
  "workflow.started": EventType.EVENT_TYPE_WORKFLOW_STARTED,
  "task.queued": EventType.EVENT_TYPE_TASK_QUEUED,
  "task.started": EventType.EVENT_TYPE_TASK_STARTED,
  "task.progress": EventType.EVENT_TYPE_TASK_PROGRESS,
  "task.retrying": EventType.EVENT_TYPE_TASK_RETRYING,
  "task.succeeded": EventType.EVENT_TYPE_TASK_SUCCEEDED,
  "task.failed": EventType.EVENT_TYPE_TASK_FAILED,
  "task.cancelled": EventType.EVENT_TYPE_TASK_CANCELLED,
  "workflow.succeeded": EventType.EVENT_TYPE_WORKFLOW_SUCCEEDED,
  "workflow.failed": EventType.EVENT_TYPE_WORKFLOW_FAILED,
  "workflow.cancelled": EventType.EVENT_TYPE_WORKFLOW_CANCELLED,
};

export function workflowState(state: WorkflowStateName): WorkflowState {
  return WORKFLOW_STATE[state];
}

export function taskState(state: TaskStateName): TaskState {
  return TASK_STATE[state];
}

export function taskStatus(task: TaskRecord, run?: WorkflowRun): TaskStatus {
  return {
    id: task.spec.id,
    tool: task.spec.tool,
    pool: task.spec.pool,
    state: TASK_STATE[task.state],
    attempt: task.attempt,
    output: run ? run.storedOutput(task) : task.output,
    error: task.error,
    startedAtMs: task.startedAtMs ?? 0,
    finishedAtMs: task.finishedAtMs ?? 0,
    worker: task.worker ?? "",
    dependsOn: task.spec.dependsOn,
    sharedFrom: task.sharedFrom ?? "",
    stage: task.spec.stage,
    args: task.spec.args,
  };
}

export function workflow(run: WorkflowRun, traceId = ""): Workflow {
  return {
    id: run.id,
    name: run.name,
    state: WORKFLOW_STATE[run.state],
    tasks: [...run.tasks.values()].map((task) => taskStatus(task, run)),
    createdAtMs: run.createdAtMs,
    finishedAtMs: run.finishedAtMs ?? 0,
    error: run.error ?? "",
    priority: run.priority,
    // Never the capability: it is the running agent's alone.
    parent: run.parent ? { workflowId: run.parent.workflowId, taskId: run.parent.taskId, capability: "" } : undefined,
    children: [...run.children],
    traceId,
  };
}

export function workflowSummary(run: WorkflowRun): WorkflowSummary {
  let done = 0;
  let failed = 0;
  for (const task of run.tasks.values()) {
    if (task.state === "succeeded" || task.state === "failed" || task.state === "cancelled") done++;
    if (task.state === "failed") failed++;
  }
  return {
    id: run.id,
    name: run.name,
    state: WORKFLOW_STATE[run.state],
    taskCount: run.tasks.size,
    createdAtMs: run.createdAtMs,
    tasksDone: done,
    tasksFailed: failed,
    finishedAtMs: run.finishedAtMs ?? 0,
  };
}

export function workflowEvent(sequence: number, event: EventMessage): WorkflowEvent {
  return {
    workflowId: event.workflowId,
    sequence,
    timeMs: event.timeMs,
    type: EVENT_TYPE[event.kind] ?? EventType.EVENT_TYPE_UNSPECIFIED,
    taskId: event.taskId ?? "",
    tool: event.tool ?? "",
    pool: event.pool ?? "",
    attempt: event.attempt ?? 0,
    message: event.message ?? "",
    worker: event.worker ?? "",
    durationMs: event.durationMs ?? 0,
    progress: event.progress,
    outputStream: "",
    output: "",
    parentWorkflowId: event.parentWorkflowId ?? "",
    parentTaskId: event.parentTaskId ?? "",
    depth: event.depth ?? 0,
    stage: event.stage ?? "",
  };
}

/** A live output chunk from tm.data.chunk.<workflow>.<task> as a TASK_OUTPUT event. */
export function outputEvent(workflowId: string, taskId: string, chunk: { stream: string; data: string; attempt: number }): WorkflowEvent {
  return {
    ...workflowEvent(0, { kind: "task.progress", workflowId, timeMs: Date.now(), taskId, attempt: chunk.attempt }),
    type: EventType.EVENT_TYPE_TASK_OUTPUT,
    outputStream: chunk.stream,
    output: chunk.data,
  };
}

import { EventType, TaskState, type Workflow } from "@toolmesh/proto";

/** The events that end a task: counted once as "done" by every progress view. */
export const TERMINAL_TASK_EVENTS: ReadonlySet<EventType> = new Set([
  EventType.EVENT_TYPE_TASK_SUCCEEDED,
  EventType.EVENT_TYPE_TASK_FAILED,
  EventType.EVENT_TYPE_TASK_CANCELLED,
]);

/**
 * The workflow's final report: the synth.report task nothing else depends on
 * (a template ends with one), if it succeeded. The CLI prints it, the MCP
 * server returns it.
 */
export function finalReportTask(wf: Workflow): string | undefined {
  const needed = new Set(wf.tasks.flatMap((t) => t.dependsOn));
  return wf.tasks.filter((t) => t.tool === "synth.report" && !needed.has(t.id) && t.state === TaskState.TASK_STATE_SUCCEEDED).at(-1)?.id;
}

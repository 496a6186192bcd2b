import { TaskSpec, WorkflowSpec } from "@toolmesh/proto";

/** A TaskSpec with the defaults a test does not care about. */
export function task(id: string, tool: string, args: Record<string, unknown> = {}, extra: Partial<TaskSpec> = {}): TaskSpec {
  return TaskSpec.fromPartial({ id, tool, args, ...extra });
}

export function workflow(name: string, tasks: TaskSpec[], defaultTimeoutMs = 0, extra: Partial<WorkflowSpec> = {}): WorkflowSpec {
  return WorkflowSpec.fromPartial({ name, tasks, defaultTimeoutMs, ...extra });
}

import type { TaskSpec, WorkflowSpec } from "@toolmesh/proto";

/** A TaskSpec with the defaults a test does not care about. */
export function task(id: string, tool: string, args: Record<string, unknown> = {}, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id, tool, args, dependsOn: [], timeoutMs: 0, retry: undefined, ...extra };
}

export function workflow(name: string, tasks: TaskSpec[], defaultTimeoutMs = 0): WorkflowSpec {
  return { name, tasks, defaultTimeoutMs };
}

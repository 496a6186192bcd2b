import { TaskState, WorkflowState, type Workflow } from "@toolmesh/proto";

/** One line per output field: arrays by length, scalars as they are. */
export function summarizeOutput(output: Record<string, unknown> | undefined): string {
  if (!output) return "";
  return Object.entries(output)
    .map(([key, value]) => {
      if (Array.isArray(value)) return `${key}: ${value.length} items`;
      if (value !== null && typeof value === "object")
        return `${key}: {${Object.keys(value).slice(0, 6).join(", ")}${Object.keys(value).length > 6 ? ", …" : ""}}`;
      const text = typeof value === "string" ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : String(value);
      return `${key}: ${text}`;
    })
    .join(", ");
}

/** The human-readable result of a finished workflow. */
export function formatWorkflowResult(wf: Workflow): string {
  const state = WorkflowState[wf.state].replace("WORKFLOW_STATE_", "");
  const lines = [`workflow ${wf.name} (${wf.id}): ${state} in ${wf.finishedAtMs - wf.createdAtMs} ms${wf.error ? ` — ${wf.error}` : ""}`];
  // Tasks that failed alike (one bad argument reaching every task of a template) make one line.
  const sameError = new Map<string, string[]>();
  for (const task of wf.tasks)
    if (task.error)
      sameError.set(`${task.error.code}: ${task.error.message}`, [
        ...(sameError.get(`${task.error.code}: ${task.error.message}`) ?? []),
        task.id,
      ]);
  for (const task of wf.tasks) {
    const taskState = TaskState[task.state].replace("TASK_STATE_", "").toLowerCase();
    const error = task.error ? `${task.error.code}: ${task.error.message}` : undefined;
    const alike = error ? sameError.get(error)! : [];
    if (alike.length > 1 && alike[0] !== task.id) continue;
    const detail = error ?? summarizeOutput(task.output);
    const who = alike.length > 1 ? `${task.id} and ${alike.length - 1} more` : task.id;
    lines.push(`  ${who.padEnd(16)} ${task.tool.padEnd(13)} ${taskState.padEnd(9)} ${detail}`);
  }
  return lines.join("\n");
}

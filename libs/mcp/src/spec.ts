import { WorkflowSpec } from "@toolmesh/proto";
import { SpecShapeError } from "./errors.js";

const FAN_IN = /^(all|all_settled|first_success|quorum|deadline)$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A WorkflowSpec from its JSON form (as in a workflow file: camelCase fields,
 * fanIn.mode "all_settled" or "FAN_IN_MODE_ALL_SETTLED"). Only the shape is
 * checked here; the coordinator validates tools, arguments and the graph and
 * names the task and field that is wrong. `toolName` maps MCP tool names
 * ("code_grep") back to toolmesh's, so either spelling works.
 */
export function workflowSpecOf(raw: unknown, toolName: (name: string) => string): WorkflowSpec {
  if (!isRecord(raw)) throw new SpecShapeError('spec: expected an object with "name" and "tasks"');
  if (!Array.isArray(raw.tasks) || raw.tasks.length === 0) throw new SpecShapeError("spec.tasks: expected a non-empty list of tasks");
  const tasks = raw.tasks.map((task: unknown, index: number) => {
    if (!isRecord(task)) throw new SpecShapeError(`spec.tasks[${index}]: expected an object with "id" and "tool"`);
    if (typeof task.tool !== "string") throw new SpecShapeError(`spec.tasks[${index}].tool: expected a tool name such as "code.grep"`);
    if (task.args !== undefined && !isRecord(task.args)) throw new SpecShapeError(`spec.tasks[${index}].args: expected an object`);
    const fanIn = task.fanIn;
    if (fanIn !== undefined) {
      if (!isRecord(fanIn)) throw new SpecShapeError(`spec.tasks[${index}].fanIn: expected an object with "mode"`);
      const named = fanIn.mode ?? "all";
      const mode = (typeof named === "string" ? named : "")
        .toLowerCase()
        .replaceAll("-", "_")
        .replace(/^fan_in_mode_/, "");
      if (!FAN_IN.test(mode))
        throw new SpecShapeError(`spec.tasks[${index}].fanIn.mode: expected all, all_settled, first_success, quorum or deadline`);
      return { ...task, tool: toolName(task.tool), fanIn: { ...fanIn, mode: `FAN_IN_MODE_${mode.toUpperCase()}` } };
    }
    return { ...task, tool: toolName(task.tool) };
  });
  // `parent` is for sub-agents inside toolmesh: an MCP client's workflow is always a root.
  const { parent: _parent, ...rest } = raw;
  return WorkflowSpec.fromJSON({ name: "mcp", ...rest, tasks });
}

/**
 * Checks a batch of calls against an agent's rules before anything is
 * submitted: every tool must be one the agent may use, the batch must fit in
 * the calls left, and each child agent.run gets a budget and tool list no
 * larger than the parent's. Pure: the caller supplies what is left.
 */
import { ErrorCode, ToolError } from "@toolmesh/core";
import { TaskSpec } from "@toolmesh/proto";
import { TOOLS, parseToolArgs } from "@toolmesh/tools";
import { callsPerChild, checkBatch, childBudget, type Budget, type Remaining } from "./budget.js";

export const AGENT_TOOL = "agent.run";

export interface BatchRules {
  budget: Budget;
  left: Remaining;
  /** Tools this agent may call (agent.run's `tools`, or the default set). */
  tools: readonly string[];
}

/** Every catalog tool except the test pool's: agent.run's default `tools`. */
export function defaultTools(): string[] {
  return [...TOOLS.keys()].filter((name) => !name.startsWith("test."));
}

/** Calls a task may make: a fan-out runs once per item (up to maxItems). */
function taskCost(task: TaskSpec): number {
  return task.forEach ? Math.max(1, task.forEach.maxItems) : 1;
}

export interface PreparedBatch {
  tasks: TaskSpec[];
  /** Calls the batch may make in all, its child agents' budgets included. */
  reservedCalls: number;
  /** Of those, the calls handed to child agents (made in their own workflows). */
  childCalls: number;
}

/** The tasks to submit (child agents' arguments clamped) and the calls they reserve. */
export function prepareBatch(tasks: readonly TaskSpec[], rules: BatchRules): PreparedBatch {
  const allowed = new Set(rules.tools);
  for (const task of tasks) {
    if (!allowed.has(task.tool)) {
      throw new ToolError(
        ErrorCode.PERMISSION_DENIED,
        `task "${task.id}": tool "${task.tool}" is not one this agent may call (allowed: ${rules.tools.join(", ") || "none"})`,
      );
    }
  }
  const agents = tasks.filter((t) => t.tool === AGENT_TOOL);
  const plainCalls = tasks.filter((t) => t.tool !== AGENT_TOOL).reduce((sum, t) => sum + taskCost(t), 0);
  checkBatch(plainCalls + agents.length, rules.left);
  const perChild = callsPerChild(rules.left, plainCalls, agents.length);
  let reservedCalls = plainCalls;
  let childCalls = 0;
  const prepared = tasks.map((task) => {
    if (task.tool !== AGENT_TOOL) return task;
    const args = parseToolArgs(AGENT_TOOL, task.args ?? {});
    const budget = childBudget(rules.budget, rules.left, perChild, args.budget as Partial<Budget>);
    reservedCalls += 1 + budget.maxCalls;
    childCalls += budget.maxCalls;
    return TaskSpec.fromPartial({
      ...task,
      args: { ...args, budget, tools: childTools(task.id, args.tools as string[] | undefined, rules.tools) },
    });
  });
  return { tasks: prepared, reservedCalls, childCalls };
}

/** A child may use a subset of its parent's tools; all of them when it names none. */
function childTools(taskId: string, requested: string[] | undefined, parent: readonly string[]): string[] {
  if (requested === undefined) return [...parent];
  const extra = requested.filter((tool) => !parent.includes(tool));
  if (extra.length) {
    throw new ToolError(
      ErrorCode.PERMISSION_DENIED,
      `task "${taskId}": a child agent may not use ${extra.join(", ")}: its parent may not either`,
    );
  }
  return requested;
}

import { timingSafeEqual } from "node:crypto";
import { ErrorCode, ToolError } from "@toolmesh/core";
import { InvalidSpecError, type ValidWorkflow } from "@toolmesh/spec";
import { MAX_AGENT_DEPTH } from "@toolmesh/tools";
import { ParentDeniedError } from "./errors.js";
import type { WorkflowRun } from "./run.js";

/**
 * Where a sub-agent's workflow hangs: under a running parent (`parent`, as
 * this coordinator holds it), one level deeper. Agents nest at most
 * MAX_AGENT_DEPTH deep, so a workflow that deep may not start another agent.
 */
export function lineageOf(workflow: ValidWorkflow, parent: WorkflowRun | undefined): { depth: number; ancestors: string[] } {
  if (!workflow.parent) return { depth: 0, ancestors: [] };
  if (!parent || parent.done) {
    throw new InvalidSpecError(`parent.workflowId "${workflow.parent.workflowId}" is not a running workflow on this coordinator`);
  }
  checkParentCapability(parent, workflow.parent);
  const depth = parent.depth + 1;
  if (depth >= MAX_AGENT_DEPTH && workflow.tasks.some((t) => t.tool === "agent.run")) {
    throw new ToolError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `agents nest at most ${MAX_AGENT_DEPTH} deep (orchestrator → specialist → executor); this workflow is at depth ${depth} and may not start agent.run`,
    );
  }
  return { depth, ancestors: [parent.id, ...parent.ancestors] };
}

/**
 * A ParentRef is honoured only from the agent.run attempt it names: the task
 * is queued or running and the ref carries the capability minted for its
 * current attempt. Otherwise PERMISSION_DENIED naming the field.
 */
export function checkParentCapability(parent: WorkflowRun, ref: NonNullable<ValidWorkflow["parent"]>): void {
  const task = parent.tasks.get(ref.taskId);
  if (!task || task.spec.tool !== "agent.run" || (task.state !== "queued" && task.state !== "running")) {
    throw new ParentDeniedError(
      `parent.taskId "${ref.taskId}" is not a running agent.run task of workflow ${parent.id}: only a running agent may attach a child workflow`,
    );
  }
  const want = Buffer.from(task.capability ?? "");
  const got = Buffer.from(ref.capability);
  if (!ref.capability || want.length === 0 || want.length !== got.length || !timingSafeEqual(want, got)) {
    throw new ParentDeniedError(
      `parent.capability ${ref.capability ? "does not match" : "is missing"}: only the running agent.run attempt of ${parent.id}/${ref.taskId} may attach a child workflow, with the capability from its task message`,
    );
  }
}

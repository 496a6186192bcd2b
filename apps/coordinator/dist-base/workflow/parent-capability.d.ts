import type { ValidWorkflow } from "@toolmesh/spec";
import type { WorkflowRun } from "./run.js";
/**
 * A ParentRef is honoured only from the agent.run attempt it names: the task
 * is queued or running and the ref carries the capability minted for its
 * current attempt. Otherwise PERMISSION_DENIED naming the field.
 */
export declare function checkParentCapability(parent: WorkflowRun, ref: NonNullable<ValidWorkflow["parent"]>): void;

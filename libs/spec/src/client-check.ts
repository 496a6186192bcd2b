import type { WorkflowSpec } from "@toolmesh/proto";
import { validateWorkflow, type SpecLimits } from "./validate.js";

/**
 * The coordinator's limits are its own configuration (TOOLMESH_MAX_*), which
 * a client cannot know: a client checks everything else and leaves the
 * sizes to the coordinator, so it never refuses what a bigger one accepts.
 */
export const CLIENT_LIMITS: Readonly<SpecLimits> = {
  maxTasks: Number.POSITIVE_INFINITY,
  maxSpecBytes: Number.POSITIVE_INFINITY,
  defaultTimeoutMs: 0,
  maxTimeoutMs: Number.POSITIVE_INFINITY,
  maxAttempts: Number.POSITIVE_INFINITY,
  maxCalls: Number.POSITIVE_INFINITY,
  maxItems: Number.POSITIVE_INFINITY,
};

/**
 * The checks a client can make before it submits: the coordinator's own
 * validation with the coordinator's messages (InvalidSpecError), less its
 * configured limits and the run-time (MCP) tools only it knows.
 */
export function checkWorkflow(spec: WorkflowSpec): void {
  validateWorkflow(spec, 0, CLIENT_LIMITS, { unknownTools: "defer" });
}

import { Workflow } from "@toolmesh/proto";

/**
 * A workflow as the CLI prints it with --json: proto3 JSON through ts-proto's
 * toJSON — enums by name ("WORKFLOW_STATE_SUCCEEDED", not 2), fields at
 * their default left out — the same as grpcurl prints it.
 */
export function workflowJson(wf: Workflow): unknown {
  return Workflow.toJSON(wf);
}

/** `value` as indented JSON on its own line. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

import { ErrorCode, McpError, type ReadResourceResult, type Resource, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import type { ToolmeshClient } from "@toolmesh/client";
import { Workflow, workflowStateToJSON } from "@toolmesh/proto";
import { codeName, parseOutputUri } from "./results.js";

const WORKFLOW_URI = /^toolmesh:\/\/workflows\/([^/]+)$/;

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  {
    uriTemplate: "toolmesh://workflows/{workflowId}",
    name: "workflow",
    description: "A toolmesh workflow: its state and every task's state, output (or a reference to it) and error (GetWorkflow).",
    mimeType: "application/json",
  },
  {
    uriTemplate: "toolmesh://workflows/{workflowId}/tasks/{taskId}/output",
    name: "task-output",
    description:
      "The whole output of one task, however large (GetTaskOutput); tool results link here when an output is too large to inline.",
    mimeType: "application/json",
  },
];

/** resources/list: the most recent workflows. */
export async function listResources(client: ToolmeshClient, limit = 20): Promise<Resource[]> {
  const { workflows } = await client.list(limit);
  return workflows.map((wf) => ({
    uri: `toolmesh://workflows/${encodeURIComponent(wf.id)}`,
    name: `${wf.name} (${wf.id})`,
    description: `${workflowStateToJSON(wf.state).replace("WORKFLOW_STATE_", "").toLowerCase()}, ${wf.taskCount} tasks, created ${new Date(Number(wf.createdAtMs)).toISOString()}`,
    mimeType: "application/json",
  }));
}

function asMcpError(err: unknown): McpError {
  if (typeof err === "object" && err !== null && "code" in err && "details" in err) {
    const code = codeName((err as { code: unknown }).code);
    const mcpCode =
      code === "NOT_FOUND" || code === "INVALID_ARGUMENT" || code === "FAILED_PRECONDITION"
        ? ErrorCode.InvalidParams
        : ErrorCode.InternalError;
    return new McpError(mcpCode, `${code}: ${String((err as { details: unknown }).details)}`);
  }
  return new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err));
}

/** resources/read: a task's whole output, or a workflow. */
export async function readResource(client: ToolmeshClient, uri: string): Promise<ReadResourceResult> {
  const output = parseOutputUri(uri);
  const workflowMatch = WORKFLOW_URI.exec(uri);
  try {
    if (output) {
      const value = await client.taskOutput(output.workflowId, output.taskId);
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(value) }] };
    }
    if (workflowMatch) {
      const wf = await client.get(decodeURIComponent(workflowMatch[1]!));
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(Workflow.toJSON(wf)) }] };
    }
  } catch (err) {
    throw asMcpError(err);
  }
  throw new McpError(
    ErrorCode.InvalidParams,
    `not a toolmesh resource: ${uri} (toolmesh://workflows/{id} or toolmesh://workflows/{id}/tasks/{task}/output)`,
  );
}

import { status as grpcStatus } from "@grpc/grpc-js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { TaskState, WorkflowState, taskStateToJSON, workflowStateToJSON, type TaskStatus, type Workflow } from "@toolmesh/proto";

type Content = CallToolResult["content"][number];

/** An output the coordinator kept in the object store: GetWorkflow gives only this. */
export interface OutputRef {
  $ref: string;
  bytes: number;
}

export function isOutputRef(output: unknown): output is OutputRef {
  if (typeof output !== "object" || output === null) return false;
  const keys = Object.keys(output);
  return keys.length === 2 && typeof (output as OutputRef).$ref === "string" && typeof (output as OutputRef).bytes === "number";
}

/** The resource a large output is read from (resources/read → GetTaskOutput). */
export function outputUri(workflowId: string, taskId: string): string {
  return `toolmesh://workflows/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(taskId)}/output`;
}

const OUTPUT_URI = /^toolmesh:\/\/workflows\/([^/]+)\/tasks\/([^/]+)\/output$/;

/** The workflow and task of an output URI, or undefined for any other URI. */
export function parseOutputUri(uri: string): { workflowId: string; taskId: string } | undefined {
  const match = OUTPUT_URI.exec(uri);
  if (!match) return undefined;
  try {
    return { workflowId: decodeURIComponent(match[1]!), taskId: decodeURIComponent(match[2]!) };
  } catch {
    return undefined;
  }
}

export function outputLinkContent(workflowId: string, taskId: string, ref: OutputRef, tool: string): Content {
  return {
    type: "resource_link",
    uri: outputUri(workflowId, taskId),
    name: `${taskId}-output.json`,
    mimeType: "application/json",
    description: `The output of ${tool} (task "${taskId}"), ${ref.bytes} bytes: too large to inline; read it with resources/read.`,
  };
}

const text = (value: string): Content => ({ type: "text", text: value });

/** A gRPC status code's name ("INVALID_ARGUMENT") from a number or a name. */
export function codeName(code: unknown): string {
  if (typeof code === "string") return code;
  return (grpcStatus as unknown as Record<number, string>)[Number(code)] ?? "UNKNOWN";
}

/** A failed call as an MCP tool error: the gRPC code and the message, for the model to act on. */
export function errorResult(code: string, message: string, extra: Record<string, unknown> = {}): CallToolResult {
  return { isError: true, content: [text(`${code}: ${message}`)], structuredContent: { error: { code, message }, ...extra } };
}

/** Any thrown error (a gRPC ServiceError above all) as an MCP tool error. */
export function thrownResult(err: unknown): CallToolResult {
  if (typeof err === "object" && err !== null && "code" in err && "details" in err) {
    return errorResult(codeName((err as { code: unknown }).code), String((err as { details: unknown }).details));
  }
  return errorResult("INTERNAL", err instanceof Error ? err.message : String(err));
}

/** One task's result: its output inline (text and structuredContent), a link when large, or its error. */
export function taskResult(workflowId: string, task: TaskStatus): CallToolResult {
  if (task.state !== TaskState.TASK_STATE_SUCCEEDED) {
    const code = task.error?.code || (task.state === TaskState.TASK_STATE_CANCELLED ? "CANCELLED" : "INTERNAL");
    return errorResult(code, task.error?.message || `${task.tool} ended ${taskStateToJSON(task.state)}`, { workflowId, taskId: task.id });
  }
  const output = task.output ?? {};
  if (isOutputRef(output)) {
    const uri = outputUri(workflowId, task.id);
    return {
      content: [outputLinkContent(workflowId, task.id, output, task.tool)],
      structuredContent: { outputRef: { uri, bytes: output.bytes } },
    };
  }
  return { content: [text(JSON.stringify(output))], structuredContent: output };
}

/** A task of a workflow as a plain record: its output (or a link to it) or its error. */
function taskSummary(workflowId: string, task: TaskStatus): Record<string, unknown> {
  const base = { id: task.id, tool: task.tool, state: taskStateToJSON(task.state).replace("TASK_STATE_", "").toLowerCase() };
  if (task.state === TaskState.TASK_STATE_SUCCEEDED) {
    const output = task.output ?? {};
    return isOutputRef(output) ? { ...base, outputRef: { uri: outputUri(workflowId, task.id), bytes: output.bytes } } : { ...base, output };
  }
  return task.error ? { ...base, error: { code: task.error.code, message: task.error.message } } : base;
}

/**
 * A finished workflow: its final report's Markdown when it ends with a
 * synth.report (`report` is that task's output), else every task's outcome.
 * Large outputs come as resource links either way.
 */
export function workflowResult(wf: Workflow, report?: Record<string, unknown>): CallToolResult {
  const state = workflowStateToJSON(wf.state).replace("WORKFLOW_STATE_", "").toLowerCase();
  const isError = wf.state !== WorkflowState.WORKFLOW_STATE_SUCCEEDED;
  const tasks = wf.tasks.map((task) => taskSummary(wf.id, task));
  const links = wf.tasks
    .filter((t) => t.state === TaskState.TASK_STATE_SUCCEEDED && isOutputRef(t.output))
    .map((t) => outputLinkContent(wf.id, t.id, t.output as OutputRef, t.tool));
  const structured: Record<string, unknown> = { workflowId: wf.id, name: wf.name, state, ...(wf.error ? { error: wf.error } : {}) };
  if (report && typeof report.markdown === "string") {
    return { ...(isError ? { isError } : {}), content: [text(report.markdown)], structuredContent: { ...structured, report } };
  }
  const head = isError ? `workflow ${wf.id} ${state}${wf.error ? `: ${wf.error}` : ""}\n` : "";
  return {
    ...(isError ? { isError } : {}),
    content: [text(`${head}${JSON.stringify({ ...structured, tasks })}`), ...links],
    structuredContent: { ...structured, tasks },
  };
}

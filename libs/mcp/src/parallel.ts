import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ToolmeshClient } from "@toolmesh/client";
import { TaskState, WorkflowSpec, type Workflow } from "@toolmesh/proto";
import { followWorkflow, type ProgressStep } from "./follow.js";
import { codeName, isOutputRef, outputLinkContent, outputUri } from "./results.js";

export interface ParallelCall {
  tool: string;
  args: Record<string, unknown>;
  timeoutMs: number;
}

type CallOutcome =
  | { tool: string; ok: true; output: unknown }
  | { tool: string; ok: true; outputRef: { uri: string; bytes: number } }
  | { tool: string; ok: false; error: { code: string; message: string } };

/** "tasks[3] (id "call-3"): ..." — the coordinator's way of naming the task a bad spec is about. */
const BAD_TASK = /^tasks\[(\d+)\] \(id "call-(\d+)"\): (.*)$/s;

/**
 * `parallel`: the calls as one workflow of independent tasks, so they run
 * concurrently over the pools and the whole round can be cancelled (down to
 * sandboxed processes), reports progress and hands large outputs back as
 * resource links. The coordinator refuses a spec whole when one task is bad;
 * that call gets the refusal as its own error and the rest are submitted
 * again, so one bad call never fails the others.
 */
export async function runParallel(
  client: ToolmeshClient,
  calls: readonly ParallelCall[],
  options: { signal: AbortSignal; onProgress?: ((step: ProgressStep) => void) | undefined },
): Promise<CallToolResult> {
  const refused = new Map<number, { code: string; message: string }>();
  let workflow: Workflow | undefined;
  for (;;) {
    const remaining = calls.map((call, index) => ({ call, index })).filter(({ index }) => !refused.has(index));
    if (remaining.length === 0) break;
    const spec = WorkflowSpec.fromPartial({
      name: `mcp parallel (${calls.length} calls)`,
      tasks: remaining.map(({ call, index }) => ({ id: `call-${index}`, tool: call.tool, args: call.args, timeoutMs: call.timeoutMs })),
    });
    let id: string;
    try {
      id = await client.submit(spec);
    } catch (err) {
      const e = err as { code?: unknown; details?: unknown };
      const match = typeof e.details === "string" ? BAD_TASK.exec(e.details) : null;
      if (!match) throw err;
      refused.set(Number(match[2]), { code: codeName(e.code), message: match[3]! });
      continue;
    }
    // Refused calls are finished ones: progress counts every call given.
    const onProgress = options.onProgress;
    const skipped = refused.size;
    workflow = await followWorkflow(client, id, {
      signal: options.signal,
      onProgress: onProgress && ((step) => onProgress({ ...step, progress: step.progress + skipped, total: step.total + skipped })),
      knownTasks: remaining.length,
    });
    break;
  }
  const results: CallOutcome[] = calls.map((call, index) => {
    const error = refused.get(index);
    if (error) return { tool: call.tool, ok: false, error };
    const task = workflow?.tasks.find((t) => t.id === `call-${index}`);
    if (!task || task.state !== TaskState.TASK_STATE_SUCCEEDED) {
      return {
        tool: call.tool,
        ok: false,
        error: { code: task?.error?.code || "CANCELLED", message: task?.error?.message || "the call did not run" },
      };
    }
    const output = task.output ?? {};
    return isOutputRef(output)
      ? { tool: call.tool, ok: true, outputRef: { uri: outputUri(workflow!.id, task.id), bytes: output.bytes } }
      : { tool: call.tool, ok: true, output };
  });
  const failed = results.filter((r) => !r.ok).length;
  const links = workflow
    ? workflow.tasks
        .filter((t) => t.state === TaskState.TASK_STATE_SUCCEEDED && isOutputRef(t.output))
        .map((t) => outputLinkContent(workflow.id, t.id, t.output as { $ref: string; bytes: number }, t.tool))
    : [];
  const summary = `${results.length - failed} of ${results.length} calls succeeded`;
  return {
    content: [{ type: "text", text: `${summary}\n${JSON.stringify(results)}` }, ...links],
    structuredContent: { ...(workflow ? { workflowId: workflow.id } : {}), succeeded: results.length - failed, failed, results },
  };
}

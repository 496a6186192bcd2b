import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { finalReportTask, type ToolmeshClient } from "@toolmesh/client";
import { WorkflowSpec } from "@toolmesh/proto";
import type { ToolCatalog } from "./catalog.js";
import { FollowCancelled, SpecShapeError } from "./errors.js";
import { followWorkflow, type ProgressStep } from "./follow.js";
import { codeName, errorResult, taskResult, thrownResult, workflowResult } from "./results.js";
import { TEMPLATE_TOOLS } from "./schemas.js";
import { workflowSpecOf } from "./spec.js";
import { runParallel } from "./parallel.js";

/** What a tools/call handler gets from the MCP request. */
export interface CallContext {
  signal: AbortSignal;
  /** Set when the client sent a progressToken. */
  onProgress?: ((step: ProgressStep) => void) | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Runs tools/call: toolmesh's own tools (parallel, workflow, the templates) and every catalog tool. */
export class ToolCalls {
  constructor(
    readonly client: ToolmeshClient,
    readonly catalog: ToolCatalog,
  ) {}

  async call(name: string, args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    try {
      if (name === "parallel") return await this.#parallel(args, ctx);
      if (name === "workflow") return await this.#workflow(args, ctx);
      const template = TEMPLATE_TOOLS.find((t) => t.name === name);
      if (template) return await this.#template(template.template, args, ctx);
      const tool = await this.catalog.toolmeshName(name);
      if (!tool) return errorResult("NOT_FOUND", `no tool "${name}": tools/list gives the tools there are`);
      return await this.#native(tool, args, ctx);
    } catch (err) {
      if (err instanceof FollowCancelled) return errorResult("CANCELLED", err.message, { workflowId: err.workflowId });
      if (err instanceof SpecShapeError) return errorResult("INVALID_ARGUMENT", err.message);
      return thrownResult(err);
    }
  }

  /** One catalog tool as a one-task workflow: progress from its events, cancellable, large outputs by reference. */
  async #native(tool: string, args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    const spec = WorkflowSpec.fromPartial({ name: `mcp ${tool}`, tasks: [{ id: "call", tool, args }] });
    let id: string;
    try {
      id = await this.client.submit(spec);
    } catch (err) {
      // The coordinator names the task and the field; a single call has no task to name.
      const e = err as { code?: unknown; details?: unknown };
      if (e.code === undefined || typeof e.details !== "string") throw err;
      return errorResult(codeName(e.code), e.details.replace(/^tasks\[0\] \(id "call"\): /, ""));
    }
    const wf = await followWorkflow(this.client, id, { signal: ctx.signal, onProgress: ctx.onProgress, knownTasks: 1 });
    const task = wf.tasks.find((t) => t.id === "call");
    if (!task) return workflowResult(wf);
    return taskResult(wf.id, task);
  }

  /** Many calls at once, answered in the order given; a failure stays with its call (see parallel.ts). */
  async #parallel(args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    const calls = args.calls;
    if (!Array.isArray(calls) || calls.length === 0)
      return errorResult("INVALID_ARGUMENT", "calls: expected a non-empty list of {tool, args}");
    for (const [index, call] of calls.entries()) {
      if (!isRecord(call) || typeof call.tool !== "string")
        return errorResult("INVALID_ARGUMENT", `calls[${index}].tool: expected a tool name such as "code.grep"`);
      if (call.args !== undefined && !isRecord(call.args))
        return errorResult("INVALID_ARGUMENT", `calls[${index}].args: expected an object`);
    }
    await this.catalog.ensure();
    const resolved = (calls as Array<{ tool: string; args?: Record<string, unknown>; timeoutMs?: number }>).map((call) => ({
      tool: this.catalog.resolveSync(call.tool),
      args: call.args ?? {},
      timeoutMs: Number(call.timeoutMs ?? 0),
    }));
    return runParallel(this.client, resolved, { signal: ctx.signal, onProgress: ctx.onProgress });
  }

  async #workflow(args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    await this.catalog.ensure();
    const spec = workflowSpecOf(args.spec, (name) => this.catalog.resolveSync(name));
    const id = await this.client.submit(spec);
    return this.#finish(id, ctx, spec.tasks.length);
  }

  async #template(template: string, args: Record<string, unknown>, ctx: CallContext): Promise<CallToolResult> {
    const { priority, ...params } = args;
    const id = await this.client.runTemplate({ template, params, priority: Number(priority ?? 0) });
    // The template's task graph, for the first progress totals (fan-outs add their members as they go).
    const tasks = ctx.onProgress ? (await this.client.get(id)).tasks.length : 0;
    return this.#finish(id, ctx, tasks);
  }

  /** Follows a workflow to its end; its final report's Markdown when it has one. */
  async #finish(id: string, ctx: CallContext, knownTasks: number): Promise<CallToolResult> {
    const wf = await followWorkflow(this.client, id, { signal: ctx.signal, onProgress: ctx.onProgress, knownTasks });
    const reportTask = finalReportTask(wf);
    const report = reportTask ? await this.client.taskOutput(wf.id, reportTask) : undefined;
    return workflowResult(wf, report);
  }
}

/**
 * The chat loop's executor for real: one batch of the model's calls becomes
 * one child workflow of the agent. Arguments are checked against the catalog
 * first, so one bad call is answered with its own error instead of the
 * coordinator refusing the whole batch.
 */
import { ToolError } from "@toolmesh/core";
import { TaskSpec } from "@toolmesh/proto";
import { parseToolArgs } from "@toolmesh/tools";
import type { AgentSession } from "./agent-session.js";
import type { ExecutorCall, ExecutorResult, ToolExecutor } from "./llm/chat-loop.js";
import type { SettledBatch } from "./results.js";

export class SessionExecutor implements ToolExecutor {
  readonly batches: SettledBatch[] = [];
  #nextTask = 1;

  constructor(
    private readonly session: AgentSession,
    private readonly workflowName: string,
  ) {}

  async run(calls: ExecutorCall[]): Promise<ExecutorResult[]> {
    const results: ExecutorResult[] = [];
    const taskToCall = new Map<string, string>();
    const tasks: TaskSpec[] = [];
    for (const call of calls) {
      try {
        const args = parseToolArgs(call.tool, call.args);
        // Task ids are ours ("c1", "c2"... across the agent's turns), not the
        // model's call ids, which need not be valid task ids.
        const taskId = `c${this.#nextTask++}`;
        taskToCall.set(taskId, call.id);
        tasks.push(TaskSpec.fromPartial({ id: taskId, tool: call.tool, args }));
      } catch (err) {
        results.push({ id: call.id, ok: false, error: ToolError.from(err).toShape() });
      }
    }
    if (tasks.length === 0) return results;
    const batch = await this.session.runBatch(this.workflowName, tasks);
    this.batches.push(batch);
    for (const outcome of batch.tasks) {
      const id = taskToCall.get(outcome.id);
      if (id === undefined) continue;
      results.push(
        outcome.ok
          ? { id, ok: true, output: outcome.output ?? {} }
          : { id, ok: false, error: outcome.error ?? { code: "INTERNAL", message: "no result" } },
      );
    }
    return results;
  }
}

/**
 * The agent.run handler: sets up the agent's session (budget, deadline,
 * tools), runs the chosen policy, and returns a bounded account of what ran.
 * On cancel or deadline it cancels every child workflow still running before
 * it fails, so a subtree never outlives its agent.
 */
import { ErrorCode, ToolError, abortedError } from "@toolmesh/core";
import { agentRun, defineHandler, type ToolArgs, type ToolHandler } from "@toolmesh/tools";
import { AgentSession } from "./agent-session.js";
import { defaultTools } from "./batch.js";
import { AGENT_CANCELLED, type CoordinatorApi } from "./child-workflows.js";
import type { AgentConfig } from "./config.js";
import type { LoopStop } from "./llm/chat-loop.js";
import { runLlm } from "./llm-policy.js";
import { runPlan } from "./plan-policy.js";
import { boundedOutputs, type SettledBatch } from "./results.js";

export type AgentRunArgs = ToolArgs<typeof agentRun>;

/** Caps on the agent's own output: it travels as one NATS message. */
export const OUTPUT_CHARS_PER_TASK = 16 * 1024;
export const OUTPUT_CHARS_TOTAL = 256 * 1024;

export function createAgentRunHandler(client: CoordinatorApi, config: AgentConfig): ToolHandler {
  return defineHandler(agentRun, async (args, ctx) => {
    const session = new AgentSession({
      client,
      // The capability the coordinator gave this attempt: without it, child workflows are refused.
      parent: { workflowId: ctx.workflowId, taskId: ctx.taskId, ...(ctx.capability ? { capability: ctx.capability } : {}) },
      budget: args.budget,
      tools: args.tools ?? defaultTools(),
      signal: ctx.signal,
      log: ctx.log,
      progress: (update) => ctx.progress(update),
    });
    ctx.log.info({ policy: args.policy, budget: args.budget, tools: session.tools.length, goal: args.goal.slice(0, 200) }, "agent started");
    try {
      let answer: string;
      let batches: SettledBatch[];
      let extra: { stopReason?: LoopStop; turns?: number } = {};
      if (args.policy === "plan") {
        if (!args.plan) throw new ToolError(ErrorCode.INVALID_ARGUMENT, "the plan policy needs a plan");
        ({ answer, batches } = await runPlan(session, args.goal, args.plan));
      } else {
        const run = await runLlm(session, args.goal, args.llm ?? { maxTurns: 8 }, config.llm, config.resultChars, ctx.log, (u) =>
          ctx.progress(u),
        );
        ({ answer, batches } = run);
        extra = { stopReason: run.stopReason, turns: run.turns };
      }
      const tasks = batches.flatMap((b) => b.tasks);
      const output = {
        answer,
        workflowIds: session.children.ids,
        calls: session.spent.calls,
        /** The budget this agent ran with, after its parent clamped it. */
        budget: args.budget,
        tokens: { input: session.spent.inputTokens, output: session.spent.outputTokens },
        outputs: boundedOutputs(tasks, OUTPUT_CHARS_PER_TASK, OUTPUT_CHARS_TOTAL),
        failures: Object.fromEntries(tasks.flatMap((t) => (!t.ok && t.error ? [[t.id, t.error] as const] : []))),
        ...extra,
      };
      ctx.log.info({ calls: output.calls, tokens: output.tokens, workflows: output.workflowIds.length }, "agent finished");
      return output;
    } catch (err) {
      // An abort surfaces as whatever the in-flight step threw; report the abort itself.
      const error = session.signal.aborted ? abortedError(session.signal, AGENT_CANCELLED) : ToolError.from(err);
      ctx.log.warn({ code: error.code, err: error.message, children: session.children.ids }, "agent stopped");
      throw error;
    } finally {
      await session.close(session.signal.aborted ? "parent agent cancelled" : "parent agent stopped");
    }
  });
}

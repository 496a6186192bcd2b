import { z } from "zod";
import { defineTool } from "./spec.js";

/** Agents nest at most this deep: orchestrator → specialist → executor. */
export const MAX_AGENT_DEPTH = 3;

/** What an agent may spend; a child's budget never exceeds what its parent has left. */
export const agentBudget = z
  .object({
    /** Levels of agents this one may still start below itself (an executor has 0). */
    maxDepth: z
      .number()
      .int()
      .min(0)
      .max(MAX_AGENT_DEPTH - 1)
      .default(MAX_AGENT_DEPTH - 1),
    /** Tool calls in all, its children's included. */
    maxCalls: z.number().int().min(1).max(10_000).default(100),
    /** Calls running at once. */
    maxConcurrency: z.number().int().min(1).max(256).default(16),
    /** Wall-clock time for the whole agent, children included. */
    wallMs: z.number().int().min(100).max(3_600_000).default(120_000),
    /** LLM tokens (input + output), children included; unused by the plan policy. */
    maxTokens: z.number().int().min(1).max(10_000_000).default(200_000),
  })
  .strict();

/** A task's fan-out in JSON plans (agent plans, custom template layers): the proto's ForEach. */
export const forEachArgs = z
  .object({
    from: z.string().min(1),
    items: z.string().default(""),
    maxItems: z.number().int().min(0).default(0),
    match: z.string().max(256).default(""),
  })
  .strict();

/** A task's fan-in in JSON plans, with mode names in lower case; the proto's FanIn. */
export function fanInArgs(defaultMode: "all" | "all_settled") {
  return z
    .object({
      mode: z.enum(["all", "all_settled", "first_success", "quorum", "deadline"]).default(defaultMode),
      quorum: z.number().int().min(0).default(0),
      deadlineMs: z.number().int().min(0).default(0),
    })
    .strict();
}

const planTask = z
  .object({
    id: z.string().min(1).max(64),
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).default({}),
    dependsOn: z.array(z.string()).default([]),
    forEach: forEachArgs.optional(),
    fanIn: fanInArgs("all").optional(),
    timeoutMs: z.number().int().min(0).default(0),
  })
  .strict();

export const agentRun = defineTool({
  name: "agent.run",
  pool: "agent",
  shareable: false,
  destructive: true,
  openWorld: true,
  description:
    "A nested agent: turns a goal into tool calls and child agents run through the coordinator in parallel, by a declarative plan or an LLM (Anthropic Messages or an OpenAI-compatible chat API), within a budget.",
  args: z
    .object({
      goal: z.string().trim().min(1).max(16_384),
      policy: z.enum(["plan", "llm"]).default("plan"),
      /** For the plan policy: a template with parameters, or tasks (a workflow's tasks in JSON). */
      plan: z
        .union([
          z.object({ template: z.string().min(1), params: z.record(z.string(), z.unknown()).default({}) }).strict(),
          z.object({ tasks: z.array(planTask).min(1).max(1000) }).strict(),
        ])
        .optional(),
      /** Tools the agent may call; the LLM sees only these. Every non-test tool when omitted. */
      tools: z.array(z.string().min(1)).max(64).optional(),
      budget: agentBudget.default({}),
      /** For the LLM policy; the endpoint and key come from the agent service's configuration. */
      llm: z
        .object({
          provider: z.enum(["anthropic", "openai"]).optional(),
          model: z.string().min(1).max(128).optional(),
          system: z.string().max(16_384).optional(),
          maxTurns: z.number().int().min(1).max(50).default(8),
        })
        .strict()
        .optional(),
    })
    .strict()
    .refine((a) => a.policy !== "plan" || a.plan !== undefined, { message: "the plan policy needs a plan", path: ["plan"] }),
  output: z
    .object({
      answer: z.string(),
      /** The child workflows it started. */
      workflowIds: z.array(z.string()),
      calls: z.number().int().min(0),
      /** The budget it ran with, after its parent clamped it. */
      budget: agentBudget,
      tokens: z.object({ input: z.number().int().min(0), output: z.number().int().min(0) }).strict(),
      /** Succeeded tasks' outputs by task id, each (and all together) size-capped. */
      outputs: z.record(z.string(), z.unknown()),
      /** Failed tasks' errors by task id. */
      failures: z.record(z.string(), z.object({ code: z.string(), message: z.string() }).strict()),
      /** LLM policy only: why the loop ended, and its turns. */
      stopReason: z.enum(["end_turn", "max_tokens", "max_turns", "budget"]).optional(),
      turns: z.number().int().min(0).optional(),
    })
    .strict(),
});

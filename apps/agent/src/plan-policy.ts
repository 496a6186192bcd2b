/**
 * The plan policy: the agent runs a plan it was given, either tasks (one child
 * workflow) or a coordinator template, and reports what ran.
 */
import { planTaskToSpec, type PlanTask } from "./plan.js";
import type { AgentSession } from "./agent-session.js";
import { digest, type SettledBatch } from "./results.js";

export type Plan = { template: string; params: Record<string, unknown> } | { tasks: PlanTask[] };

export async function runPlan(session: AgentSession, goal: string, plan: Plan): Promise<{ answer: string; batches: SettledBatch[] }> {
  const batch =
    "tasks" in plan
      ? await session.runBatch(workflowName(goal), plan.tasks.map(planTaskToSpec))
      : await session.runTemplate(plan.template, plan.params);
  return { answer: digest(batch), batches: [batch] };
}

/** A child workflow's name: "agent: " and the start of the goal, for listings. */
export function workflowName(goal: string): string {
  const line = (goal.split("\n", 1)[0] ?? "").trim();
  return `agent: ${line.length > 60 ? `${line.slice(0, 57)}...` : line}`;
}

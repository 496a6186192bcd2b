import { TaskSpec, WorkflowSpec } from "@toolmesh/proto";
import { fanInModeOf, type FanInModeName } from "@toolmesh/spec";

/** Local-index results are file: URLs, which web.fetch refuses: fetch only the web's. */
export const HTTP_URL = "^https?://";

/** How a task joins its members (a fan-out's items, else its dependencies). */
export type Join =
  { mode: Exclude<FanInModeName, "quorum" | "deadline"> } | { mode: "quorum"; quorum: number } | { mode: "deadline"; deadlineMs: number };

export const ALL_SETTLED: Join = { mode: "all_settled" };

export interface TaskInput {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  stage: string;
  dependsOn?: readonly string[];
  /** Fan-out; `from` is added to dependsOn. */
  forEach?: { from: string; items: string; maxItems: number; match?: string };
  fanIn?: Join;
  timeoutMs?: number;
}

/** Drops undefined fields: a Struct has no "undefined", and schemas treat absent and undefined alike. */
function compact(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

export function task(input: TaskInput): TaskSpec {
  const dependsOn = [...new Set([...(input.dependsOn ?? []), ...(input.forEach ? [input.forEach.from] : [])])];
  const join = input.fanIn;
  return TaskSpec.fromPartial({
    id: input.id,
    tool: input.tool,
    args: compact(input.args),
    dependsOn,
    stage: input.stage,
    ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
    ...(input.forEach ? { forEach: { ...input.forEach } } : {}),
    ...(join
      ? {
          fanIn: {
            mode: fanInModeOf(join.mode),
            quorum: join.mode === "quorum" ? join.quorum : 0,
            deadlineMs: join.mode === "deadline" ? join.deadlineMs : 0,
          },
        }
      : {}),
  });
}

/**
 * Calls the workflow can make at most: one per plain task plus each fan-out's
 * item cap. Undefined when a fan-out leaves its cap to the coordinator.
 */
export function callBound(tasks: readonly TaskSpec[]): number | undefined {
  let calls = 0;
  for (const t of tasks) {
    if (!t.forEach) calls += 1;
    else if (t.forEach.maxItems > 0) calls += t.forEach.maxItems;
    else return undefined;
  }
  return calls;
}

/** The spec, with limits.maxCalls set to the graph's own bound so a template never asks for more than it can use. */
export function workflow(name: string, tasks: readonly TaskSpec[]): WorkflowSpec {
  const maxCalls = callBound(tasks);
  return WorkflowSpec.fromPartial({
    name,
    tasks: [...tasks],
    ...(maxCalls !== undefined ? { limits: { maxConcurrency: 0, maxCalls } } : {}),
  });
}

/** Ids of `tasks`. */
export function idsOf(tasks: readonly TaskSpec[]): string[] {
  return tasks.map((t) => t.id);
}

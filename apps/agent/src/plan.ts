/**
 * The plan policy's JSON task shape (agent.run's plan.tasks) as protobuf
 * TaskSpecs: the same fields, with fan-in mode names turned into the enum.
 */
import { TaskSpec } from "@toolmesh/proto";
import { fanInModeOf, type FanInModeName } from "@toolmesh/spec";

/** One task of agent.run's plan.tasks, after the catalog's defaults. */
export interface PlanTask {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  dependsOn: string[];
  forEach?: { from: string; items: string; maxItems: number; match?: string } | undefined;
  fanIn?: { mode: FanInModeName; quorum: number; deadlineMs: number } | undefined;
  timeoutMs: number;
}

export function planTaskToSpec(task: PlanTask): TaskSpec {
  return TaskSpec.fromPartial({
    id: task.id,
    tool: task.tool,
    args: task.args,
    dependsOn: task.dependsOn,
    timeoutMs: task.timeoutMs,
    ...(task.forEach
      ? {
          forEach: { from: task.forEach.from, items: task.forEach.items, maxItems: task.forEach.maxItems, match: task.forEach.match ?? "" },
        }
      : {}),
    ...(task.fanIn ? { fanIn: { mode: fanInModeOf(task.fanIn.mode), quorum: task.fanIn.quorum, deadlineMs: task.fanIn.deadlineMs } } : {}),
  });
}

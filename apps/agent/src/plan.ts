/**
 * The plan policy's JSON task shape (agent.run's plan.tasks) as protobuf
 * TaskSpecs: the same fields, with fan-in mode names turned into the enum.
 */
import { FanInMode, TaskSpec } from "@toolmesh/proto";

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

export type FanInModeName = "all" | "all_settled" | "first_success" | "quorum" | "deadline";

const FAN_IN_MODES: Record<FanInModeName, FanInMode> = {
  all: FanInMode.FAN_IN_MODE_ALL,
  all_settled: FanInMode.FAN_IN_MODE_ALL_SETTLED,
  first_success: FanInMode.FAN_IN_MODE_FIRST_SUCCESS,
  quorum: FanInMode.FAN_IN_MODE_QUORUM,
  deadline: FanInMode.FAN_IN_MODE_DEADLINE,
};

export function planTaskToSpec(task: PlanTask): TaskSpec {
  return TaskSpec.fromPartial({
    id: task.id,
    tool: task.tool,
    args: task.args,
    dependsOn: task.dependsOn,
    timeoutMs: task.timeoutMs,
    ...(task.forEach ? { forEach: { from: task.forEach.from, items: task.forEach.items, maxItems: task.forEach.maxItems, match: task.forEach.match ?? "" } } : {}),
    ...(task.fanIn ? { fanIn: { mode: FAN_IN_MODES[task.fanIn.mode], quorum: task.fanIn.quorum, deadlineMs: task.fanIn.deadlineMs } } : {}),
  });
}

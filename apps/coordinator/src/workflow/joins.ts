import { countOutcomes, decideJoin, type FanInPolicy, type JoinDecision } from "@toolmesh/spec";
import { memberOutcome, type TaskRecord } from "./task-record.js";

/** Whether a deadline fan-in's deadline, counted from `startMs`, has gone by. */
export function joinDeadlinePassed(policy: FanInPolicy, startMs: number, nowMs: number): boolean {
  return policy.mode === "deadline" && nowMs >= startMs + policy.deadlineMs;
}

/** The join decision over task records (a task's dependencies, or a fan-out's items). */
export function decideMembers(policy: FanInPolicy, members: readonly TaskRecord[], deadlinePassed: boolean): JoinDecision {
  const firstFailed = members.find((m) => memberOutcome(m) === "failed")?.spec.id;
  return decideJoin(policy, countOutcomes(members.map(memberOutcome)), deadlinePassed, firstFailed);
}

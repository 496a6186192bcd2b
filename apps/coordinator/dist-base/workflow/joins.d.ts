import { type FanInPolicy, type JoinDecision } from "@toolmesh/spec";
import { type TaskRecord } from "./task-record.js";
/** Whether a deadline fan-in's deadline, counted from `startMs`, has gone by. */
export declare function joinDeadlinePassed(policy: FanInPolicy, startMs: number, nowMs: number): boolean;
/** The join decision over task records (a task's dependencies, or a fan-out's items). */
export declare function decideMembers(policy: FanInPolicy, members: readonly TaskRecord[], deadlinePassed: boolean): JoinDecision;

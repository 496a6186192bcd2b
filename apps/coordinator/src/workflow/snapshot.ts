import { runsInCoordinator } from "@toolmesh/core";
import type { ValidWorkflow } from "@toolmesh/spec";
import type { WorkflowStateName } from "./completion.js";
import type { TaskRecord } from "./task-record.js";

/** A task record as stored: everything but its timers. */
export type TaskSnapshot = Omit<TaskRecord, "timer" | "joinTimer">;

/** A workflow as stored in KV, enough to resume it on another coordinator. */
export interface RunSnapshot {
  id: string;
  name: string;
  spec: ValidWorkflow;
  createdAtMs: number;
  finishedAtMs?: number;
  state: WorkflowStateName;
  error?: string;
  depth: number;
  ancestors: string[];
  children: string[];
  calls: number;
}

/** The run's fields a snapshot holds (WorkflowRun has them all). */
export interface SnapshotFields {
  readonly id: string;
  readonly name: string;
  readonly spec: ValidWorkflow;
  createdAtMs: number;
  finishedAtMs?: number;
  state: WorkflowStateName;
  error?: string;
  readonly depth: number;
  readonly ancestors: string[];
  readonly children: string[];
  calls: number;
  readonly tasks: Map<string, TaskRecord>;
}

export function runSnapshot(run: SnapshotFields): RunSnapshot {
  return {
    id: run.id,
    name: run.name,
    spec: run.spec,
    createdAtMs: run.createdAtMs,
    ...(run.finishedAtMs !== undefined ? { finishedAtMs: run.finishedAtMs } : {}),
    state: run.state,
    ...(run.error !== undefined ? { error: run.error } : {}),
    depth: run.depth,
    ancestors: run.ancestors,
    children: run.children,
    calls: run.calls,
  };
}

export function taskSnapshot(task: TaskRecord): TaskSnapshot {
  const { timer: _timer, joinTimer: _joinTimer, ...rest } = task;
  return rest;
}

/** Puts stored state into a run made from the snapshot's spec (id, spec, depth and ancestors it has already). */
export function applySnapshot(run: SnapshotFields, snapshot: RunSnapshot, tasks: readonly TaskSnapshot[]): void {
  run.createdAtMs = snapshot.createdAtMs;
  run.state = snapshot.state;
  if (snapshot.finishedAtMs !== undefined) run.finishedAtMs = snapshot.finishedAtMs;
  if (snapshot.error !== undefined) run.error = snapshot.error;
  run.children.push(...snapshot.children);
  for (const task of tasks) run.tasks.set(task.spec.id, { ...task });
  // A running workflow's header is not written per call: its count is what its stored tasks started.
  run.calls = snapshot.state === "running" ? callsStarted(run.tasks.values()) : snapshot.calls;
}

/** Worker calls that went out (or shared another's result): what WorkflowRun counts in `calls`. */
export function callsStarted(tasks: Iterable<TaskRecord>): number {
  let calls = 0;
  for (const task of tasks) {
    if (runsInCoordinator(task.spec.pool) || (task.spec.forEach && !task.itemOf)) continue;
    if (task.attempt > 0 || task.sharedFrom) calls += 1;
  }
  return calls;
}

import { ErrorCode, type ToolErrorShape } from "@toolmesh/core";
import { canonicalJson } from "./placeholders.js";
import type { TaskRecord } from "./task-record.js";

/** Identical calls (same tool, same filled arguments) have the same key. */
export function callKey(task: TaskRecord): string {
  return `${task.spec.tool} ${canonicalJson(task.spec.args)}`;
}

/**
 * Identical shareable calls within a workflow run once: the first is the
 * leader and goes to its pool; later ones follow it and take its outcome.
 * A leader that failed or was cancelled leads no longer: the next identical
 * call runs again rather than inherit a failure it might not have had.
 */
export class SharedCalls {
  readonly #tasks: ReadonlyMap<string, TaskRecord>;
  /** Call key → the task that runs it. */
  readonly #leaders = new Map<string, string>();
  /** Leader's task id → the tasks waiting on it. */
  readonly #followers = new Map<string, string[]>();

  constructor(tasks: ReadonlyMap<string, TaskRecord>) {
    this.#tasks = tasks;
  }

  /** After a restore: each call that went out (and did not end badly) leads its key again. */
  restoreLeaders(): void {
    for (const task of this.#tasks.values()) {
      if (task.spec.shareable && task.attempt > 0 && !task.sharedFrom && task.state !== "failed" && task.state !== "cancelled") {
        this.#leaders.set(callKey(task), task.spec.id);
      }
    }
  }

  /** The live leader of `task`'s call, or undefined after making `task` the leader. */
  leaderFor(task: TaskRecord): TaskRecord | undefined {
    const key = callKey(task);
    const leaderId = this.#leaders.get(key);
    const leader = leaderId ? this.#tasks.get(leaderId) : undefined;
    if (!leader || leader.state === "failed" || leader.state === "cancelled") {
      this.#leaders.set(key, task.spec.id);
      return undefined;
    }
    return leader;
  }

  follow(leaderId: string, followerId: string): void {
    this.#followers.set(leaderId, [...(this.#followers.get(leaderId) ?? []), followerId]);
  }

  followersOf(leaderId: string): TaskRecord[] {
    return (this.#followers.get(leaderId) ?? []).map((id) => this.#tasks.get(id)!);
  }

  forgetFollowers(leaderId: string): void {
    this.#followers.delete(leaderId);
  }
}

/**
 * Gives a follower its settled leader's times, worker and output; returns the
 * error it fails with when the leader did not succeed, else undefined.
 */
export function copyLeaderRecord(leader: TaskRecord, follower: TaskRecord, nowMs: number): ToolErrorShape | undefined {
  follower.startedAtMs = leader.startedAtMs;
  follower.finishedAtMs = leader.finishedAtMs ?? nowMs;
  follower.worker = leader.worker;
  if (leader.state !== "succeeded") {
    return leader.error ?? { code: ErrorCode.INTERNAL, message: `shared call "${leader.spec.id}" did not succeed`, retryable: false };
  }
  if (leader.outputRef) follower.outputRef = leader.outputRef;
  else follower.output = leader.output ?? {};
  return undefined;
}

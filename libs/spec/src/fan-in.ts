import type { FanInModeName } from "./fan-in-modes.js";

/**
 * How a group of members (a fan-out task's items, or a task's dependencies)
 * is joined. Pure: given the members' outcomes so far, says whether the
 * joining task can go, must keep waiting, or can never go.
 */
export interface FanInPolicy {
  mode: FanInModeName;
  /** For quorum: successes needed. */
  quorum: number;
  /** For deadline: ms after the members became runnable. */
  deadlineMs: number;
}

export const JOIN_ALL: FanInPolicy = { mode: "all", quorum: 0, deadlineMs: 0 };

export type MemberOutcome = "open" | "succeeded" | "failed";

export type JoinDecision =
  | { kind: "wait" }
  /** Go; members still open are no longer wanted. */
  | { kind: "go"; cancelOpen: boolean }
  | { kind: "fail"; reason: string };

export interface JoinCounts {
  total: number;
  succeeded: number;
  failed: number;
}

export function countOutcomes(outcomes: Iterable<MemberOutcome>): JoinCounts {
  const counts = { total: 0, succeeded: 0, failed: 0 };
  for (const outcome of outcomes) {
    counts.total += 1;
    if (outcome === "succeeded") counts.succeeded += 1;
    else if (outcome === "failed") counts.failed += 1;
  }
  return counts;
}

/**
 * `deadlinePassed` is true once the policy's deadline has gone by (only
 * meaningful for mode "deadline"). `firstFailed` names a failed member for
 * the "all" mode's reason.
 */
export function decideJoin(policy: FanInPolicy, counts: JoinCounts, deadlinePassed = false, firstFailed?: string): JoinDecision {
  const { total, succeeded, failed } = counts;
  const open = total - succeeded - failed;
  switch (policy.mode) {
    case "all":
      if (failed > 0) return { kind: "fail", reason: `dependency "${firstFailed ?? "?"}" did not succeed` };
      return open === 0 ? { kind: "go", cancelOpen: false } : { kind: "wait" };
    case "all_settled":
      if (open > 0) return { kind: "wait" };
      return succeeded > 0 || total === 0
        ? { kind: "go", cancelOpen: false }
        : { kind: "fail", reason: `none of the ${total} members succeeded` };
    case "first_success":
      if (succeeded > 0 || total === 0) return { kind: "go", cancelOpen: true };
      return open === 0 ? { kind: "fail", reason: `none of the ${total} members succeeded` } : { kind: "wait" };
    case "quorum": {
      const needed = Math.min(policy.quorum, total);
      if (succeeded >= needed) return { kind: "go", cancelOpen: true };
      if (succeeded + open < needed)
        return { kind: "fail", reason: `quorum of ${needed} cannot be reached: ${failed} of ${total} members failed` };
      return { kind: "wait" };
    }
    case "deadline":
      if (open === 0 || deadlinePassed) {
        if (succeeded > 0 || total === 0) return { kind: "go", cancelOpen: true };
        return {
          kind: "fail",
          reason: deadlinePassed ? `nothing succeeded within ${policy.deadlineMs} ms` : `none of the ${total} members succeeded`,
        };
      }
      return { kind: "wait" };
  }
}

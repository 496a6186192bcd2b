import { countOutcomes, decideJoin } from "@toolmesh/spec";
import { memberOutcome } from "./task-record.js";
/** Whether a deadline fan-in's deadline, counted from `startMs`, has gone by. */
export function joinDeadlinePassed(policy, startMs, nowMs) {
    return policy.mode === "deadline" && nowMs >= startMs + policy.deadlineMs;
}
/** The join decision over task records (a task's dependencies, or a fan-out's items). */
export function decideMembers(policy, members, deadlinePassed) {
    const firstFailed = members.find((m) => memberOutcome(m) === "failed")?.spec.id;
    return decideJoin(policy, countOutcomes(members.map(memberOutcome)), deadlinePassed, firstFailed);
}
//# sourceMappingURL=joins.js.map
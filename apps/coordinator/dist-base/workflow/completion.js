import { isTerminal } from "./task-record.js";
/**
 * Undefined while any task can still move. Otherwise a task that did not
 * succeed fails the workflow unless every task that depends on it joined
 * tolerantly (not "all") and succeeded anyway; fan-out items count through
 * their parent, and a task cancelled as unneeded does not count against it.
 */
export function completion(tasks, dependentsOf) {
    let failed = 0;
    let topLevel = 0;
    for (const task of tasks) {
        if (!isTerminal(task.state))
            return undefined;
        if (task.itemOf)
            continue;
        topLevel += 1;
        if (task.state === "succeeded" || task.unneeded)
            continue;
        const dependents = dependentsOf(task.spec.id);
        const absorbed = dependents.length > 0 && dependents.every((d) => d.spec.fanIn.mode !== "all" && !d.spec.forEach && d.state === "succeeded");
        if (!absorbed)
            failed += 1;
    }
    return failed === 0 ? { state: "succeeded" } : { state: "failed", error: `${failed} of ${topLevel} tasks did not succeed` };
}
//# sourceMappingURL=completion.js.map
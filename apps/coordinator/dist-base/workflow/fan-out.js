import { ErrorCode } from "@toolmesh/core";
import { JOIN_ALL } from "@toolmesh/spec";
/** Why a fan-out of `items` may not start: it would take the workflow past limits.maxCalls. */
export function overCallLimit(items, calls, maxCalls) {
    if (calls + items <= maxCalls)
        return undefined;
    return {
        code: ErrorCode.RESOURCE_EXHAUSTED,
        message: `fan-out of ${items} items would bring the workflow to ${calls + items} calls; limits.maxCalls is ${maxCalls} (lower forEach.maxItems or raise limits.maxCalls)`,
        retryable: false,
    };
}
/**
 * One task per item, id "<parent>[<index>]": the parent's spec without its
 * forEach and dependencies (the parent already joined them), arguments still
 * to be filled with the item.
 */
export function itemTasks(parent, items) {
    return items.map((item, index) => {
        const spec = { ...parent.spec, id: `${parent.spec.id}[${index}]`, dependsOn: [], fanIn: JOIN_ALL, templated: true };
        delete spec.forEach;
        return { spec, state: "pending", attempt: 0, itemOf: { parent: parent.spec.id, index, item } };
    });
}
/** A failed fan-out's error: a deadline's, else the first failed item's code. */
export function fanOutFailure(items, reason, deadlinePassed) {
    const code = deadlinePassed ? ErrorCode.DEADLINE_EXCEEDED : (items.find((i) => i.error)?.error?.code ?? ErrorCode.FAILED_PRECONDITION);
    return { code, message: `fan-out: ${reason.replace(/^dependency/, "item")}`, retryable: false };
}
function summary(task, items) {
    return {
        succeeded: items.filter((i) => i.state === "succeeded").length,
        failed: items.filter((i) => i.state === "failed").length,
        cancelled: items.filter((i) => i.state === "cancelled").length,
        dropped: task.dropped ?? 0,
        skipped: task.skipped ?? 0,
    };
}
function entry(item, output) {
    return {
        index: item.itemOf.index,
        item: item.itemOf.item,
        ...(item.state === "succeeded" ? { output } : { error: item.error ?? { code: ErrorCode.CANCELLED, message: item.state } }),
    };
}
/** A fan-out task's output as kept in memory: one entry per item (large outputs as references) and counts. */
export function storedFanOutOutput(task, items, storedOutput) {
    return { items: items.map((i) => entry(i, storedOutput(i))), ...summary(task, items) };
}
/** A fan-out task's full output: as stored, but with every succeeded item's output loaded. */
export async function loadedFanOutOutput(task, items, outputOf) {
    const entries = await Promise.all(items.map(async (i) => entry(i, i.state === "succeeded" ? await outputOf(i) : undefined)));
    return { items: entries, ...summary(task, items) };
}
//# sourceMappingURL=fan-out.js.map
import { parseToolArgs } from "@toolmesh/tools";
import { fillPlaceholders } from "@toolmesh/spec";
/**
 * Fills placeholders into spec.args from the item and the dependencies'
 * outputs in memory, and checks them with the tool's schema. Done once:
 * they do not change between attempts. Throws when a placeholder cannot be filled.
 */
export function fillArgs(task, tasks) {
    if (!task.spec.templated)
        return;
    const filled = fillPlaceholders(task.spec.args, {
        ...(task.itemOf ? { item: task.itemOf.item, index: task.itemOf.index } : {}),
        output: (id) => tasks.get(id)?.output,
    });
    task.spec = { ...task.spec, args: parseToolArgs(task.spec.tool, filled), templated: false };
}
/** As fillArgs, after loading referenced outputs that live in the object store. */
export async function loadAndFillArgs(task, tasks, outputOf) {
    if (task.spec.templated) {
        for (const dep of task.spec.dependsOn) {
            const record = tasks.get(dep);
            if (record?.outputRef && !record.output)
                record.output = await outputOf(record);
        }
        fillArgs(task, tasks);
    }
    return task.spec.args;
}
//# sourceMappingURL=task-args.js.map
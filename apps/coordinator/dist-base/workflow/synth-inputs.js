/**
 * What a synthesis task reads: the outputs of the tasks in `from` that
 * succeeded, a fan-out's one per succeeded item (with the item it ran on).
 */
export async function collectSynthInputs(from, tasks, outputOf) {
    const inputs = [];
    for (const id of from) {
        const dep = tasks.get(id);
        if (!dep || dep.state !== "succeeded")
            continue;
        if (dep.items) {
            for (const itemId of dep.items) {
                const item = tasks.get(itemId);
                const output = item.state === "succeeded" ? await outputOf(item) : undefined;
                if (output)
                    inputs.push({ source: itemId, tool: dep.spec.tool, item: item.itemOf.item, output });
            }
        }
        else {
            const output = await outputOf(dep);
            if (output)
                inputs.push({ source: id, tool: dep.spec.tool, output });
        }
    }
    return inputs;
}
//# sourceMappingURL=synth-inputs.js.map
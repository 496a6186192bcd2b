export function runSnapshot(run) {
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
export function taskSnapshot(task) {
    const { timer: _timer, joinTimer: _joinTimer, ...rest } = task;
    return rest;
}
/** Puts stored state into a run made from the snapshot's spec (id, spec, depth and ancestors it has already). */
export function applySnapshot(run, snapshot, tasks) {
    run.createdAtMs = snapshot.createdAtMs;
    run.state = snapshot.state;
    if (snapshot.finishedAtMs !== undefined)
        run.finishedAtMs = snapshot.finishedAtMs;
    if (snapshot.error !== undefined)
        run.error = snapshot.error;
    run.children.push(...snapshot.children);
    run.calls = snapshot.calls;
    for (const task of tasks)
        run.tasks.set(task.spec.id, { ...task });
}
//# sourceMappingURL=snapshot.js.map
import { Subjects, encodeJson } from "@toolmesh/core";
/** What a WorkflowRun does to the world, over NATS: dispatch through the scheduler, events, cancels. */
export function natsEffects(deps) {
    return {
        dispatch: (run, task, onRelease) => new Promise((resolve, reject) => {
            const attempt = task.attempt;
            const pool = task.spec.pool;
            deps.scheduler.submit({
                runId: run.id,
                taskId: task.spec.id,
                attempt,
                pool,
                priority: run.priority,
                runCap: run.spec.maxConcurrency,
                stillWanted: () => !run.done && task.attempt === attempt && task.state === "queued",
                release: () => {
                    const deadlineMs = Date.now() + task.spec.timeoutMs;
                    onRelease(deadlineMs);
                    return deps.publish(run, task, deadlineMs);
                },
                resolve,
                reject,
            });
        }),
        attemptEnded: (run, task) => deps.scheduler.ended(run.id, task.spec.id, task.attempt),
        runSynth: (tool, args, inputs) => deps.runSynth(tool, args, inputs),
        loadOutput: (ref) => deps.loadOutput(ref),
        sharedResult: (key) => deps.shared?.get(key),
        shareResult: (key, output) => void deps.shared?.set(key, output),
        emit: (event) => {
            const run = deps.runs.get(event.workflowId);
            deps.nc.publish(Subjects.event(event.workflowId, event.kind), encodeJson(event));
            if (!run?.parent)
                return;
            // A sub-agent's events also go to every ancestor's stream, so a watcher sees the whole tree.
            const nested = encodeJson({ ...event, parentWorkflowId: run.parent.workflowId, parentTaskId: run.parent.taskId, depth: run.depth });
            for (const ancestor of run.ancestors)
                deps.nc.publish(Subjects.event(ancestor, event.kind), nested);
        },
        cancelRemote: (workflowId, taskId, reason) => {
            const command = { workflowId, reason, ...(taskId ? { taskId } : {}) };
            deps.nc.publish(Subjects.cancel, encodeJson(command));
            // Sub-agents' workflows under what was cancelled go too, at once.
            for (const childId of deps.runs.get(workflowId)?.children ?? []) {
                const child = deps.runs.get(childId);
                if (child && !child.done && (!taskId || child.parent?.taskId === taskId))
                    child.cancel(`parent ${taskId ? `task ${workflowId}/${taskId}` : `workflow ${workflowId}`} cancelled: ${reason}`);
            }
        },
        changed: (run) => deps.changed(run),
        finished: (run) => deps.finished(run),
    };
}
//# sourceMappingURL=nats-effects.js.map
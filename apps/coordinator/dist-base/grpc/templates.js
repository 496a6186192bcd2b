import { ErrorCode, ToolError } from "@toolmesh/core";
import { hasPlaceholder, validateWorkflow } from "@toolmesh/spec";
import { ROOT_HINT, buildTemplate } from "@toolmesh/templates";
/**
 * RunTemplate and ExpandTemplate. The template library checks parameters by
 * themselves (an absolute path, a ".." escape); only a codebase worker knows
 * its roots and files. So before a run, each codebase scope the spec uses is
 * tried once on the pool: an unknown root or a missing path is then one
 * INVALID_ARGUMENT, not the same error from every codebase task.
 */
/** The workflow a template request stands for, with the request's priority and parent. */
export function templateSpec(request) {
    const spec = buildTemplate(request.template, request.params ?? {});
    return { ...spec, priority: request.priority || spec.priority, ...(request.parent?.workflowId ? { parent: request.parent } : {}) };
}
/** Tools whose `path` is a directory to walk; code.read's is a file, usually a placeholder. */
const WALKING_TOOLS = new Set(["code.glob", "code.grep", "code.analyze"]);
/** A spec with many scopes (custom layers) has its first few checked; the rest fail as tasks if they must. */
const MAX_SCOPES = 4;
/** The distinct scopes of a spec's walking codebase tasks (placeholders are only known at dispatch). */
export function codebaseScopes(spec) {
    const scopes = new Map();
    for (const task of spec.tasks) {
        if (!WALKING_TOOLS.has(task.tool))
            continue;
        const args = task.args ?? {};
        const root = typeof args.root === "string" ? args.root : undefined;
        const path = typeof args.path === "string" ? args.path : ".";
        if ((root !== undefined && hasPlaceholder(root)) || hasPlaceholder(path))
            continue;
        scopes.set(JSON.stringify([root ?? null, path]), { root, path });
    }
    return [...scopes.values()].slice(0, MAX_SCOPES);
}
/** How long a scope check may take, queue wait included; past it the run goes ahead unchecked. */
export const SCOPE_CHECK_TIMEOUT_MS = 3000;
/** A pool's answer that says the scope itself is wrong (anything else says nothing about it). */
const SCOPE_ERRORS = new Set([ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED, ErrorCode.INVALID_ARGUMENT]);
/**
 * Tries each codebase scope of `spec` on a live codebase worker: a code.glob
 * that stops at the first file. Throws INVALID_ARGUMENT with the pool's own
 * message (which lists the roots when the name is unknown). When no codebase
 * worker is live, or a check times out or fails for another reason, the run
 * goes ahead and its tasks report what happens.
 */
export async function checkCodebaseScopes(deps, template, spec, ctx) {
    const scopes = codebaseScopes(spec);
    if (scopes.length === 0)
        return;
    if (!deps.capacity.live().some((s) => s.pool === "codebase" && !s.draining))
        return;
    const verdicts = await Promise.all(scopes.map((scope) => tryScope(deps, scope, ctx)));
    const bad = verdicts.find((v) => v.problem !== undefined);
    if (bad?.problem) {
        throw new ToolError(ErrorCode.INVALID_ARGUMENT, `template "${template}": codebase ${describeScope(bad.scope)}: ${bad.problem}; ${ROOT_HINT}`);
    }
}
function describeScope(scope) {
    return `${scope.root !== undefined ? `root "${scope.root}"` : "default root"}, path "${scope.path}"`;
}
async function tryScope(deps, scope, ctx) {
    const args = {
        ...(scope.root !== undefined ? { root: scope.root } : {}),
        path: scope.path,
        patterns: ["*"],
        hidden: true,
        gitignore: false,
        maxResults: 1,
    };
    const spec = {
        name: "template scope check",
        defaultTimeoutMs: SCOPE_CHECK_TIMEOUT_MS,
        // It gates a whole workflow and costs one short walk: ahead of queued work.
        priority: 9,
        limits: undefined,
        parent: undefined,
        tasks: [
            {
                id: "scope",
                tool: "code.glob",
                args,
                dependsOn: [],
                timeoutMs: SCOPE_CHECK_TIMEOUT_MS,
                retry: undefined,
                forEach: undefined,
                fanIn: undefined,
                stage: "",
            },
        ],
    };
    try {
        const run = await deps.engine.whenDone(await deps.engine.submit(validateWorkflow(spec, 0, deps.limits), ctx, { quiet: true }));
        const task = run.tasks.get("scope");
        if (task?.state === "failed" && task.error && SCOPE_ERRORS.has(task.error.code))
            return { scope, problem: task.error.message };
    }
    catch {
        // Inconclusive (e.g. the coordinator is a standby now): the run's own tasks will tell.
    }
    return { scope };
}
//# sourceMappingURL=templates.js.map
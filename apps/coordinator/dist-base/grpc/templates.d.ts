import type { Context } from "@opentelemetry/api";
import type { RunTemplateRequest, WorkflowSpec } from "@toolmesh/proto";
import { type SpecLimits } from "@toolmesh/spec";
import type { CapacityView } from "../capacity.js";
import type { Engine } from "../engine.js";
/**
 * RunTemplate and ExpandTemplate. The template library checks parameters by
 * themselves (an absolute path, a ".." escape); only a codebase worker knows
 * its roots and files. So before a run, each codebase scope the spec uses is
 * tried once on the pool: an unknown root or a missing path is then one
 * INVALID_ARGUMENT, not the same error from every codebase task.
 */
/** The workflow a template request stands for, with the request's priority and parent. */
export declare function templateSpec(request: RunTemplateRequest): WorkflowSpec;
/** Where a codebase task walks: a root (the pool's first when absent) and a path in it. */
export interface CodebaseScope {
    root: string | undefined;
    path: string;
}
/** The distinct scopes of a spec's walking codebase tasks (placeholders are only known at dispatch). */
export declare function codebaseScopes(spec: WorkflowSpec): CodebaseScope[];
export interface ScopeCheckDeps {
    engine: Engine;
    capacity: CapacityView;
    limits: SpecLimits;
}
/** How long a scope check may take, queue wait included; past it the run goes ahead unchecked. */
export declare const SCOPE_CHECK_TIMEOUT_MS = 3000;
/**
 * Tries each codebase scope of `spec` on a live codebase worker: a code.glob
 * that stops at the first file. Throws INVALID_ARGUMENT with the pool's own
 * message (which lists the roots when the name is unknown). When no codebase
 * worker is live, or a check times out or fails for another reason, the run
 * goes ahead and its tasks report what happens.
 */
export declare function checkCodebaseScopes(deps: ScopeCheckDeps, template: string, spec: WorkflowSpec, ctx: Context): Promise<void>;

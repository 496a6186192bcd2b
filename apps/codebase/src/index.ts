/**
 * @toolmesh/codebase — the codebase pool's tools as a library (the service's
 * main.ts wires them to the worker runtime): glob, grep (ripgrep or the
 * built-in engine), read and analyze, never outside the configured roots.
 *
 *   const tools = createCodebaseTools({ roots: parseRoots(["/src"]) });
 */
export { createCodebaseTools } from "./tools.js";
export type { CodebaseTools, CodebaseToolsOptions } from "./tools.js";
export { parseRoots, resolveInRoot } from "./roots.js";
export type { CodebaseRoot } from "./roots.js";

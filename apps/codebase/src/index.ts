/**
 * @toolmesh/codebase — the codebase pool's tools as a library (src/tools;
 * the service's main.ts wires them to the worker runtime): glob, grep
 * (ripgrep or the built-in engine), read and analyze, never outside the
 * configured roots.
 *
 *   const tools = createCodebaseTools({ roots: parseRoots(["/src"]) });
 */
export { DEFAULT_MAX_READ_BYTES, createCodebaseTools, parseRoots } from "./tools/index.js";
export type { CodebaseRoot, CodebaseTools, CodebaseToolsOptions, GrepMatch } from "./tools/index.js";

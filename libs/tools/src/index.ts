/**
 * @toolmesh/tools — the catalog of tools: names, pools and argument schemas
 * (zod). The coordinator validates workflow specs with it; worker services
 * parse their handlers' arguments with it.
 *
 *   const args = parseToolArgs("code.grep", { pattern: "TODO" });
 */
export { bashExec } from "./bash-tools.js";
export { TOOLS, getTool, parseToolArgs } from "./catalog.js";
export { codeAnalyze, codeGlob, codeGrep, codeRead } from "./code-tools.js";
export { defineTool } from "./spec.js";
export type { ToolArgs, ToolSpec } from "./spec.js";
export { testEcho, testFail, testSleep } from "./test-tools.js";
export { webFetch, webSearch } from "./web-tools.js";

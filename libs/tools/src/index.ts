/**
 * @toolmesh/tools — the catalog of tools: names, pools and argument schemas
 * (zod). The coordinator validates workflow specs with it; worker services
 * parse their handlers' arguments with it.
 *
 *   const args = parseToolArgs("code.grep", { pattern: "TODO" });
 */
export { MAX_AGENT_DEPTH, agentBudget, agentRun, fanInArgs, forEachArgs } from "./agent-tools.js";
export { bashExec } from "./bash-tools.js";
export { TOOLS, getTool, parseToolArgs } from "./catalog.js";
export { codeAnalyze, codeGlob, codeGrep, codeRead } from "./code-tools.js";
export { catalogJsonSchemas, toJsonSchema, toolJsonSchema } from "./json-schema.js";
export type { JsonSchema, ToolJsonSchema } from "./json-schema.js";
export { getRuntimeTool, runtimeTools, useRuntimeTools } from "./runtime-tools.js";
export type { RuntimeToolSource } from "./runtime-tools.js";
export { defineTool } from "./spec.js";
export type { ToolArgs, ToolPool, ToolSpec } from "./spec.js";
export { SYNTH_TOOLS, synthCorrelate, synthDedupe, synthMerge, synthRank, synthReport } from "./synth-tools.js";
export { testEcho, testFail, testSleep } from "./test-tools.js";
export { webFetch, webSearch } from "./web-tools.js";
export type { ProviderAttempt } from "./web-tools.js";

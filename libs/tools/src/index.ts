/**
 * @toolmesh/tools — the catalog of tools: names, pools, and the schemas (zod)
 * of their arguments and outputs; and the one handler type every pool's
 * handlers share. The coordinator validates workflow specs with it; worker
 * services parse their handlers' arguments with it and type their handlers
 * by it; synthesis reads tool outputs by it.
 *
 *   const args = parseToolArgs("code.grep", { pattern: "TODO" });
 *   const echo = defineHandler(testEcho, async (args) => ({ value: args.value ?? null }));
 */
export { MAX_AGENT_DEPTH, agentBudget, agentRun, fanInArgs, forEachArgs } from "./agent-tools.js";
export { bashExec } from "./bash-tools.js";
export { argsFingerprint, receivedToolArgs } from "./args-fingerprint.js";
export { TOOLS, getTool, parseToolArgs } from "./catalog.js";
export { analyzedFile, codeAnalyze, codeGlob, codeGrep, codeRead, codeSymbol, globFile, grepMatch } from "./code-tools.js";
export { defineHandler } from "./handler.js";
export type { ToolCallContext, ToolHandler, ToolHandlers, TypedHandler } from "./handler.js";
export { OTHER_LANGUAGE, languageOf } from "./languages.js";
export { catalogJsonSchemas, toJsonSchema, toolJsonSchema } from "./json-schema.js";
export type { JsonSchema, ToolJsonSchema } from "./json-schema.js";
export { getRuntimeTool, runtimeTools, useRuntimeTools } from "./runtime-tools.js";
export type { RuntimeToolSource } from "./runtime-tools.js";
export { defineTool } from "./spec.js";
export type { DefinedToolSpec, ToolArgs, ToolOutput, ToolPool, ToolSpec } from "./spec.js";
export { RECORD_KINDS, recordFamily, recordKind, searchAttempts, synthRecord } from "./synth-outputs.js";
export { SYNTH_TOOLS, synthCorrelate, synthDedupe, synthMerge, synthRank, synthReport } from "./synth-tools.js";
export { testEcho, testFail, testSleep } from "./test-tools.js";
export { providerAttempt, searchResult, webFetch, webSearch } from "./web-tools.js";
export type { ProviderAttempt } from "./web-tools.js";

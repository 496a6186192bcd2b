import { ErrorCode, ToolError } from "@toolmesh/core";
import { agentRun } from "./agent-tools.js";
import { bashExec } from "./bash-tools.js";
import { codeAnalyze, codeGlob, codeGrep, codeRead } from "./code-tools.js";
import { getRuntimeTool, runtimeTools } from "./runtime-tools.js";
import type { ToolSpec } from "./spec.js";
import { testEcho, testFail, testSleep } from "./test-tools.js";
import { SYNTH_TOOLS } from "./synth-tools.js";
import { webFetch, webSearch } from "./web-tools.js";

/** Every tool built into toolmesh, by name. Run-time (MCP) tools are looked up through getTool. */
export const TOOLS: ReadonlyMap<string, ToolSpec> = new Map(
  [codeGlob, codeGrep, codeRead, codeAnalyze, webSearch, webFetch, bashExec, agentRun, ...SYNTH_TOOLS, testEcho, testSleep, testFail].map(
    (spec) => [spec.name, spec as ToolSpec],
  ),
);

/** A built-in tool, or a run-time one this process knows (see runtime-tools.ts). */
export function getTool(name: string): ToolSpec | undefined {
  return TOOLS.get(name) ?? getRuntimeTool(name);
}

/**
 * Parses `args` for `tool`, applying defaults. Throws ToolError
 * INVALID_ARGUMENT naming each bad field, or NOT_FOUND for an unknown tool.
 */
export function parseToolArgs(tool: string, args: unknown): Record<string, unknown> {
  const spec = getTool(tool);
  if (!spec) {
    const known = [...TOOLS.keys(), ...runtimeTools().map((t) => t.name)];
    throw new ToolError(ErrorCode.NOT_FOUND, `unknown tool "${tool}"; known tools: ${known.join(", ")}`);
  }
  const parsed = spec.args.safeParse(args ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length ? `args.${issue.path.join(".")}` : "args"}: ${issue.message}`);
    throw new ToolError(ErrorCode.INVALID_ARGUMENT, `bad arguments for ${tool}: ${problems.join("; ")}`);
  }
  return parsed.data as Record<string, unknown>;
}

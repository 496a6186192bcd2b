import { ErrorCode, ToolError } from "@toolmesh/core";
import { SYNTH_TOOLS, parseToolArgs } from "@toolmesh/tools";
import { correlate, type CorrelateArgs } from "./correlate.js";
import { dedupe, type DedupeArgs } from "./dedupe.js";
import { merge, type MergeArgs } from "./merge.js";
import type { SynthInput } from "./normalise.js";
import { rank, type RankArgs } from "./rank.js";
import { report, type ReportArgs } from "./report.js";
import { searchesOf } from "./searches.js";

export const SYNTH_TOOL_NAMES: readonly string[] = SYNTH_TOOLS.map((t) => t.name);

/**
 * Runs synthesis tool `tool` over `inputs`, synchronously and
 * deterministically. `args` are parsed again (defaults applied, bad ones
 * rejected with INVALID_ARGUMENT); an unknown tool is NOT_FOUND. With
 * args.from, only inputs of those tasks are read ("analyze" also selects
 * the fan-out items "analyze[0]", "analyze[1]", ...). Records' outputs carry
 * `searches`: the provider attempts of the web.search calls behind them.
 */
export function runSynthTool(tool: string, args: Record<string, unknown>, inputs: SynthInput[]): Record<string, unknown> {
  if (!SYNTH_TOOL_NAMES.includes(tool)) {
    throw new ToolError(ErrorCode.NOT_FOUND, `unknown synthesis tool "${tool}"; synthesis tools: ${SYNTH_TOOL_NAMES.join(", ")}`);
  }
  const parsed = parseToolArgs(tool, args);
  const selected = selectInputs(inputs, parsed.from as string[] | undefined);
  // Which providers answered the searches behind these records travels with them, for the report.
  const searches = searchesOf(selected);
  const carried = searches.length > 0 ? { searches } : {};
  switch (tool) {
    case "synth.merge":
      return { ...merge(selected, parsed as unknown as MergeArgs), ...carried };
    case "synth.dedupe":
      return { ...dedupe(selected, parsed as unknown as DedupeArgs), ...carried };
    case "synth.rank":
      return { ...rank(selected, parsed as unknown as RankArgs), ...carried };
    case "synth.correlate":
      return { ...correlate(selected, parsed as unknown as CorrelateArgs), ...carried };
    default:
      return { ...report(selected, parsed as unknown as ReportArgs) };
  }
}

function selectInputs(inputs: SynthInput[], from: readonly string[] | undefined): SynthInput[] {
  const list = Array.isArray(inputs) ? inputs : [];
  if (!from?.length) return list;
  const wanted = new Set(from);
  return list.filter((input) => {
    const source = typeof input?.source === "string" ? input.source : "";
    return wanted.has(source) || wanted.has(source.replace(/\[\d+\]$/, ""));
  });
}

/**
 * What ListTools answers: the tools this coordinator can run. The native
 * catalog (libs/tools, synth.* included), then the tools learned at run time
 * from MCP pools (TM_CATALOG), with their upstreams' own schemas.
 */
import type { ToolInfo } from "@toolmesh/proto";
import { catalogJsonSchemas, type ToolJsonSchema } from "@toolmesh/tools";
import { runtimeToolEntries } from "../runtime-tools.js";

export function toolInfo(tool: ToolJsonSchema): ToolInfo {
  return {
    name: tool.name,
    pool: tool.pool,
    description: tool.description,
    argsSchema: tool.argsSchema,
    outputSchema: tool.outputSchema,
    shareable: tool.shareable,
    destructive: tool.destructive,
    openWorld: tool.openWorld,
  };
}

/** Every tool ListTools lists: the catalog in its order, then run-time tools by name. */
export function listCatalogTools(): ToolInfo[] {
  const runtime = runtimeToolEntries().map((entry) =>
    toolInfo({
      name: entry.name,
      pool: entry.pool,
      description: entry.description,
      argsSchema: entry.inputSchema,
      ...(entry.outputSchema ? { outputSchema: entry.outputSchema } : {}),
      shareable: entry.shareable,
      destructive: entry.destructive,
      openWorld: entry.openWorld,
    }),
  );
  return [...catalogJsonSchemas().map(toolInfo), ...runtime];
}

/**
 * What ListTools answers: the tools this coordinator can run. Today the
 * native catalog (libs/tools, synth.* included); tools learned at run time
 * (e.g. from MCP pools) join here, in this one function.
 */
import type { ToolInfo } from "@toolmesh/proto";
import { catalogJsonSchemas, type ToolJsonSchema } from "@toolmesh/tools";

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

/** Every tool ListTools lists, in catalog order. */
export function listCatalogTools(): ToolInfo[] {
  return catalogJsonSchemas().map(toolInfo);
}

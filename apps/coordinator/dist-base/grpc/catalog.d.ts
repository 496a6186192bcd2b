/**
 * What ListTools answers: the tools this coordinator can run. The native
 * catalog (libs/tools, synth.* included), then the tools learned at run time
 * from MCP pools (TM_CATALOG), with their upstreams' own schemas.
 */
import type { ToolInfo } from "@toolmesh/proto";
import { type ToolJsonSchema } from "@toolmesh/tools";
export declare function toolInfo(tool: ToolJsonSchema): ToolInfo;
/** Every tool ListTools lists: the catalog in its order, then run-time tools by name. */
export declare function listCatalogTools(): ToolInfo[];

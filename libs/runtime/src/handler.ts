/**
 * The handler types live in @toolmesh/tools, next to the specs that type
 * them (defineHandler), so pools and the runtime share one context type.
 */
export type { ToolCallContext, ToolHandler, ToolHandlers } from "@toolmesh/tools";

/**
 * @toolmesh/mcp — toolmesh as an MCP server over its gRPC client: the tool
 * catalog (names mapped to `^[a-zA-Z0-9_-]{1,64}$`: code.grep → code_grep),
 * parallel, workflow and the templates as tools, the templates as prompts,
 * workflows and large outputs as resources, progress from workflow events,
 * cancellation to CancelWorkflow.
 *
 *   const server = createToolmeshMcpServer({ client: new ToolmeshClient(address) });
 *   await server.connect(new StdioServerTransport());
 */
export { createToolmeshMcpServer } from "./server.js";
export type { McpServerOptions } from "./server.js";
export { MCP_NAME, ToolNameMap, mcpNameOf } from "./names.js";
export { ToolCatalog } from "./catalog.js";
export { ToolCalls } from "./tools.js";
export type { CallContext } from "./tools.js";
export { FollowCancelled, SpecShapeError } from "./errors.js";
export { ProgressCounter, followWorkflow } from "./follow.js";
export type { FollowOptions, ProgressStep } from "./follow.js";
export { outputUri, parseOutputUri } from "./results.js";
export { getPrompt, listPrompts } from "./prompts.js";
export { RESOURCE_TEMPLATES, listResources, readResource } from "./resources.js";
export { workflowSpecOf } from "./spec.js";
export { serveStdio } from "./stdio.js";
export { ToolListWatcher } from "./tool-watch.js";

/**
 * @toolmesh/mcp-gateway — toolmesh's MCP server over streamable HTTP
 * (`node dist/main.js`, configured by TOOLMESH_MCP_* variables; see
 * config.ts). Exported for tests and embedding:
 *
 *   const gateway = await startGateway(loadConfig("mcp-gateway", gatewayConfigSchema), client, log);
 */
export { gatewayConfigSchema } from "./config.js";
export type { GatewayConfig } from "./config.js";
export { startGateway } from "./gateway.js";
export type { RunningGateway } from "./gateway.js";
export { McpGateway } from "./http.js";
export type { GatewayOptions } from "./http.js";

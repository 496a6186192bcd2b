/**
 * @toolmesh/mcp-gateway — toolmesh's MCP server over streamable HTTP as a
 * service (`node dist/main.js`, configured by TOOLMESH_MCP_* variables; see
 * config.ts). The server itself is @toolmesh/mcp/gateway.
 */
export { gatewayConfigSchema } from "./config.js";
export type { GatewayConfig } from "./config.js";

/**
 * @toolmesh/mcp-pool — an MCP server as a toolmesh pool: the worker runtime
 * holding one session to one upstream server (main.ts is the process).
 */
export { parseMcpPoolConfig } from "./config.js";
export type { McpPoolConfig } from "./config.js";
export { requestError, resultText, upstreamToolError } from "./errors.js";
export { UpstreamSession } from "./session.js";
export type { SessionOptions } from "./session.js";
export { catalogEntry, resultOutput, toolHandler } from "./tools.js";

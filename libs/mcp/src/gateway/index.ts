/**
 * @toolmesh/mcp/gateway — toolmesh's MCP server over streamable HTTP: bearer
 * token, Origin check, one session per client. A second entry point of the
 * lib, apart from its index, because it must stay light until the first
 * session: the mcp-gateway service runs it, and so does `toolmesh up` in its
 * own process (a resident process less), and neither should carry the MCP
 * SDK while no agent is connected.
 *
 *   const gateway = await startGateway({ client, host: "127.0.0.1", port: 0, token, allowedOrigins: [], maxSessions: 256, sessionIdleMs: 1_800_000, log });
 */
export { startGateway } from "./listen.js";
export type { GatewayMount, ListenOptions, RunningGateway } from "./listen.js";
export { McpGateway } from "./http.js";
export type { GatewayOptions } from "./http.js";

import type { ToolmeshClient } from "@toolmesh/client";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@toolmesh/core";
import type { GatewayConfig } from "./config.js";
import { McpGateway } from "./http.js";

export interface RunningGateway {
  port: number;
  /** http://HOST:PORT/mcp */
  url: string;
  authenticated: boolean;
  close(): Promise<void>;
}

/** Listens on TOOLMESH_MCP_HOST:TOOLMESH_MCP_PORT; the token is TOOLMESH_MCP_TOKEN, else the coordinator's. */
export async function startGateway(config: GatewayConfig, client: ToolmeshClient, log: Logger): Promise<RunningGateway> {
  const token = config.TOOLMESH_MCP_TOKEN ?? config.TOOLMESH_GRPC_TOKEN;
  const gateway = new McpGateway({
    client,
    token,
    allowedOrigins: config.TOOLMESH_MCP_ALLOWED_ORIGINS,
    maxSessions: config.TOOLMESH_MCP_MAX_SESSIONS,
    sessionIdleMs: config.TOOLMESH_MCP_SESSION_IDLE_MS,
    toolsPollMs: config.TOOLMESH_MCP_TOOLS_POLL_MS,
    log,
  });
  const server = createServer((req, res) => {
    gateway.handle(req, res).catch((err: unknown) => {
      log.error({ err }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.TOOLMESH_MCP_PORT, config.TOOLMESH_MCP_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.TOOLMESH_MCP_HOST.includes(":") ? `[${config.TOOLMESH_MCP_HOST}]` : config.TOOLMESH_MCP_HOST;
  return {
    port,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/mcp`,
    authenticated: token !== undefined,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

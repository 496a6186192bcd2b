import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { McpGateway, type GatewayOptions } from "./http.js";

export interface RunningGateway {
  port: number;
  /** http://HOST:PORT/mcp */
  url: string;
  authenticated: boolean;
  close(): Promise<void>;
}

export interface ListenOptions extends GatewayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

/** MCP over streamable HTTP at http://HOST:PORT/mcp. */
export async function startGateway(options: ListenOptions): Promise<RunningGateway> {
  const { host: listenHost, port: listenPort, log, token } = options;
  const gateway = new McpGateway(options);
  const server = createServer((req, res) => {
    gateway.handle(req, res).catch((err: unknown) => {
      log.error({ err }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, listenHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = listenHost.includes(":") ? `[${listenHost}]` : listenHost;
  return {
    port,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/mcp`,
    // "" checks nothing (http.ts treats it as no token): say so.
    authenticated: Boolean(token),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

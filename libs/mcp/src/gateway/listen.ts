import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpGateway, type GatewayOptions } from "./http.js";

/** Another part served beside /mcp (the web console): its paths, its handler, its own checks. */
export interface GatewayMount {
  owns(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): void;
}

export interface RunningGateway {
  port: number;
  /** http://HOST:PORT/mcp */
  url: string;
  /** http://HOST:PORT/console/ when a console is mounted. */
  consoleUrl: string | undefined;
  authenticated: boolean;
  close(): Promise<void>;
}

export interface ListenOptions extends GatewayOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The web console (@toolmesh/console's ConsoleServer), served under /console. */
  console?: GatewayMount;
}

/** MCP over streamable HTTP at http://HOST:PORT/mcp. */
export async function startGateway(options: ListenOptions): Promise<RunningGateway> {
  const { host: listenHost, port: listenPort, log, token } = options;
  const gateway = new McpGateway(options);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    const handler = options.console?.owns(path) ? options.console : gateway;
    handler.handle(req, res).catch((err: unknown) => {
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
  const origin = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  return {
    port,
    url: `${origin}/mcp`,
    consoleUrl: options.console ? `${origin}/console/` : undefined,
    // "" checks nothing (http.ts treats it as no token): say so.
    authenticated: Boolean(token),
    async close() {
      options.console?.close();
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createToolmeshMcpServer, type McpServerOptions } from "./server.js";

/**
 * Serves MCP over this process's stdin/stdout until the client closes stdin.
 * stdout carries JSON-RPC only: anything else the process has to say goes
 * to stderr.
 */
export async function serveStdio(options: McpServerOptions): Promise<void> {
  const server = createToolmeshMcpServer(options);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close().catch(() => undefined);
}

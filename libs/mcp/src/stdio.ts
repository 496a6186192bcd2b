import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createToolmeshMcpServer, type McpServerOptions } from "./server.js";
import { ToolListWatcher } from "./tool-watch.js";

/** TOOLMESH_MCP_TOOLS_POLL_MS, 10 s unless set to a whole number ≥ 100. */
function pollMs(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 100 ? n : 10_000;
}

/**
 * Serves MCP over this process's stdin/stdout until the client closes stdin.
 * stdout carries JSON-RPC only: anything else the process has to say goes
 * to stderr.
 */
export async function serveStdio(options: McpServerOptions): Promise<void> {
  const server = createToolmeshMcpServer({
    ...options,
    toolWatcher: options.toolWatcher ?? new ToolListWatcher(options.client, pollMs(process.env.TOOLMESH_MCP_TOOLS_POLL_MS)),
  });
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
    process.stdin.once("close", () => resolve());
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close().catch(() => undefined);
}

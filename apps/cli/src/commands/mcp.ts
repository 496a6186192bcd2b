import type { TlsFlags } from "../connection-flags.js";
import { clientFrom, resolveConnection, unreachableHint } from "../connection.js";

export interface McpCommandOptions {
  address?: string | undefined;
  tls?: TlsFlags | undefined;
}

/**
 * `toolmesh mcp`: an MCP server over stdio for an agent's MCP config, in
 * front of the coordinator the other commands would use (--address,
 * TOOLMESH_ADDRESS, else the running stack's). stdout is the JSON-RPC
 * channel: this command writes its own lines to stderr only.
 */
export async function mcpCommand(options: McpCommandOptions): Promise<number> {
  const connection = resolveConnection({ address: options.address, tls: options.tls });
  const { serveStdio } = await import("@toolmesh/mcp");
  const client = clientFrom(connection);
  const where =
    connection.source === "default"
      ? `${connection.address} (${unreachableHint(connection)})`
      : `${connection.address} (from ${connection.source})`;
  process.stderr.write(`toolmesh mcp: serving MCP on stdio, coordinator ${where}\n`);
  try {
    await serveStdio({ client, unreachableHint: unreachableHint(connection) });
    return 0;
  } finally {
    client.close();
  }
}

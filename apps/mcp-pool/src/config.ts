/**
 * The MCP pool worker's configuration, besides the worker runtime's own
 * (TOOLMESH_NATS_URL, TOOLMESH_POOL_MIN/MAX, TOOLMESH_ACK_WAIT_MS, …):
 *
 *   TOOLMESH_MCP_POOLS   the MCP servers made pools, JSON {name: {command, args, env, cwd | url, headers, ...}}
 *   TOOLMESH_MCP_POOL    which of them this instance holds a session to (may be left out when there is one)
 *   TOOLMESH_MCP_WAIT_MS how long a call waits for the upstream to come back while it restarts before it
 *                        fails with UNAVAILABLE (10000)
 */
import { ConfigError, mcpPoolName, parseMcpPools, type McpPoolName, type McpServerConfig } from "@toolmesh/core";

export interface McpPoolConfig {
  /** The name in TOOLMESH_MCP_POOLS: the tools' prefix (`fs` → fs.read_file). */
  name: string;
  pool: McpPoolName;
  server: McpServerConfig;
  waitMs: number;
}

export function parseMcpPoolConfig(env: NodeJS.ProcessEnv): McpPoolConfig {
  let pools;
  try {
    pools = parseMcpPools(env.TOOLMESH_MCP_POOLS);
  } catch (err) {
    throw new ConfigError("mcp-pool", [err instanceof Error ? err.message : String(err)]);
  }
  const names = Object.keys(pools);
  const name = env.TOOLMESH_MCP_POOL ?? (names.length === 1 ? names[0] : undefined);
  if (!name)
    throw new ConfigError("mcp-pool", [
      `TOOLMESH_MCP_POOL: name the server to hold (one of: ${names.join(", ") || "none configured in TOOLMESH_MCP_POOLS"})`,
    ]);
  const server = pools[name];
  if (!server)
    throw new ConfigError("mcp-pool", [`TOOLMESH_MCP_POOL: "${name}" has no entry in TOOLMESH_MCP_POOLS (${names.join(", ") || "empty"})`]);
  const waitMs = Number(env.TOOLMESH_MCP_WAIT_MS ?? 10_000);
  if (!Number.isFinite(waitMs) || waitMs < 0)
    throw new ConfigError("mcp-pool", [`TOOLMESH_MCP_WAIT_MS: not a number of milliseconds: ${env.TOOLMESH_MCP_WAIT_MS}`]);
  return { name, pool: mcpPoolName(name), server, waitMs };
}

import { WORKER_POOLS, isMcpPool, type NativePoolName, type PoolName } from "@toolmesh/core";

/** Where replicas are changed: a process supervisor here, or Kubernetes. */
export interface ScaleBackend {
  readonly name: string;
  /** Replicas running (or asked for) now. */
  current(pool: PoolName): Promise<number>;
  /** Makes the pool run `replicas`; scale-down lets the stopped workers drain. */
  apply(pool: PoolName, replicas: number): Promise<void>;
  /** Releases what the backend holds (the local one stops its workers, draining them). */
  close(): Promise<void>;
}

/** The service (apps/<service>, Deployment <prefix>-<service>) that serves each native pool (POOL_TABLE's). */
export const SERVICE_OF_POOL: Readonly<Record<NativePoolName, string>> = Object.fromEntries(
  WORKER_POOLS.map(([pool, row]) => [pool, row.service]),
) as Record<NativePoolName, string>;

/**
 * Pools whose workers are gRPC clients of the coordinator (the agent's
 * sub-agents run child workflows): only they get TOOLMESH_GRPC_TOKEN, so a
 * worker that parses untrusted input (a web page, an MCP server's answers)
 * does not hold a key to bash.exec.
 */
export const COORDINATOR_CLIENT_POOLS: ReadonlySet<PoolName> = new Set<PoolName>(["agent"]);

/** Every MCP pool's workers are apps/mcp-pool, told which server to hold by TOOLMESH_MCP_POOL. */
export const MCP_POOL_SERVICE = "mcp-pool";

/**
 * The name a pool's replicas go by: its native service, or for an MCP pool
 * the pool itself (`mcp-fs`: its Deployment is <prefix>-mcp-fs).
 */
export function deploymentOfPool(pool: PoolName): string {
  return isMcpPool(pool) ? pool : SERVICE_OF_POOL[pool];
}

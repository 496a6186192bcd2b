/**
 * The autoscaler's configuration (environment variables, validated at
 * start-up; every bad one is named in one error), besides the base ones
 * (TOOLMESH_NATS_URL, TOOLMESH_LOG_LEVEL, TOOLMESH_METRICS_PORT, …):
 *
 *   TOOLMESH_AUTOSCALER_BACKEND            local | kubernetes (local): a process supervisor on this machine, or the cluster
 *   TOOLMESH_AUTOSCALER_POOLS              pools to manage, comma-separated (codebase,web,bash,agent); an MCP pool is
 *                                          mcp-<name> and needs its entry in TOOLMESH_MCP_POOLS
 *   TOOLMESH_MCP_POOLS                     MCP servers as pools, JSON {name: {command, args, env, cwd | url, headers,
 *                                          min, max, minLimit, maxLimit}}: every one is managed as mcp-<name> with
 *                                          replicas min:max (1:4) unless TOOLMESH_AUTOSCALER_REPLICAS says otherwise
 *   TOOLMESH_AUTOSCALER_REPLICAS           per-pool min:max replicas, e.g. "codebase=1:8,web=1:4" (others 1:4)
 *   TOOLMESH_MAX_INSTANCES                 cap on instances across the managed pools (100), split by the pools'
 *                                          shares when exceeded; `--max-instances` on the command line wins
 *   TOOLMESH_AUTOSCALER_INTERVAL_MS        one decision per pool this often (5000)
 *   TOOLMESH_AUTOSCALER_TARGET_DRAIN_S     clear a pool's backlog within this many seconds (30)
 *   TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S  scale down only after the lower count was wanted this long (60)
 *   TOOLMESH_AUTOSCALER_SCALE_DOWN_STEP    at most this many replicas fewer per tick (1)
 *   TOOLMESH_AUTOSCALER_DEFAULT_TASK_MS    assumed task duration until a pool reports one (1000)
 *   local backend:
 *   TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS     a stopped worker's drain grace (TOOLMESH_DRAIN_GRACE_MS for the child) (30000)
 *   TOOLMESH_AUTOSCALER_LOG_DIR            where each worker's log goes (unset: discarded)
 *   TOOLMESH_AUTOSCALER_POOL_CREDENTIALS_DIR  a directory of pool-<pool>.json NATS credentials (@toolmesh/core
 *                                          writeNatsAuth's `pools/`): each worker connects as its pool's role, not
 *                                          as the autoscaler (unset: workers inherit this process's credentials)
 *   TOOLMESH_AUTOSCALER_WORKER_STALL_MS    a starting worker that shows no progress (no log line, no CPU time)
 *                                          this long is given up on; a slow but busy start is waited for (60000)
 *   kubernetes backend:
 *   TOOLMESH_K8S_MODE                      scale (patch the Deployment's scale subresource) | hpa (patch the HPA's
 *                                          minReplicas, and maxReplicas within the cap; its CPU target still works above)
 *   TOOLMESH_K8S_NAMESPACE                 namespace of the Deployments/HPAs (default)
 *   TOOLMESH_K8S_DEPLOYMENT_PREFIX         Deployment/HPA names are <prefix>-<service> (toolmesh)
 *   TOOLMESH_KUBECONFIG                    a kubeconfig file; unset: in-cluster service account
 *
 * Children started by the local backend inherit this process's environment
 * (so e.g. TOOLMESH_CODEBASE_ROOTS reaches the codebase workers) plus their
 * own TOOLMESH_INSTANCE_ID, TOOLMESH_NATS_URL and TOOLMESH_METRICS_PORT=0;
 * TOOLMESH_GRPC_TOKEN only reaches the pools that call the coordinator (agent).
 */
import {
  baseConfigSchema,
  commaList,
  ConfigError,
  isMcpPool,
  isPoolName,
  loadConfig,
  mcpPoolName,
  parseMcpPools,
  POOLS,
  registerPool,
  type McpPoolsConfig,
  type PoolName,
} from "@toolmesh/core";
import { z } from "zod";

const DEFAULT_BOUNDS = { min: 1, max: 4 };

export const autoscalerConfigSchema = baseConfigSchema.extend({
  TOOLMESH_AUTOSCALER_BACKEND: z.enum(["local", "kubernetes"]).default("local"),
  TOOLMESH_AUTOSCALER_POOLS: commaList.default("codebase,web,bash,agent"),
  TOOLMESH_AUTOSCALER_REPLICAS: commaList.default(""),
  TOOLMESH_MCP_POOLS: z.string().optional(),
  TOOLMESH_MAX_INSTANCES: z.coerce.number().int().min(1).default(100),
  TOOLMESH_AUTOSCALER_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  TOOLMESH_AUTOSCALER_TARGET_DRAIN_S: z.coerce.number().positive().default(30),
  TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S: z.coerce.number().min(0).default(60),
  TOOLMESH_AUTOSCALER_SCALE_DOWN_STEP: z.coerce.number().int().min(1).default(1),
  TOOLMESH_AUTOSCALER_DEFAULT_TASK_MS: z.coerce.number().positive().default(1000),
  TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  TOOLMESH_AUTOSCALER_LOG_DIR: z.string().optional(),
  TOOLMESH_AUTOSCALER_POOL_CREDENTIALS_DIR: z.string().optional(),
  TOOLMESH_AUTOSCALER_WORKER_STALL_MS: z.coerce.number().int().min(1000).default(60_000),
  TOOLMESH_K8S_MODE: z.enum(["scale", "hpa"]).default("scale"),
  TOOLMESH_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 label")
    .default("default"),
  TOOLMESH_K8S_DEPLOYMENT_PREFIX: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 label")
    .default("toolmesh"),
  TOOLMESH_KUBECONFIG: z.string().optional(),
});
type RawConfig = z.infer<typeof autoscalerConfigSchema>;

export interface AutoscalerConfig {
  raw: RawConfig;
  pools: PoolName[];
  bounds: Map<PoolName, { min: number; max: number }>;
  maxInstances: number;
  /** The MCP servers made pools, by name (their pools are mcp-<name>). */
  mcpPools: McpPoolsConfig;
}

/** "codebase=1:8" → ["codebase", {min: 1, max: 8}], or a problem. */
function parseBound(entry: string): [string, { min: number; max: number }] | string {
  const match = /^([a-z][a-z0-9_-]*)=(\d+):(\d+)$/.exec(entry);
  if (!match) return `TOOLMESH_AUTOSCALER_REPLICAS: "${entry}" is not pool=min:max`;
  const [, pool, min, max] = match;
  if (Number(min) > Number(max)) return `TOOLMESH_AUTOSCALER_REPLICAS: ${pool} min ${min} > max ${max}`;
  return [pool!, { min: Number(min), max: Number(max) }];
}

/** `--max-instances N` on the command line, which wins over TOOLMESH_MAX_INSTANCES. */
export function maxInstancesFlag(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((a) => a === "--max-instances" || a.startsWith("--max-instances="));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[index + 1];
}

export function parseAutoscalerConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): AutoscalerConfig {
  const flag = maxInstancesFlag(argv);
  const raw = loadConfig("autoscaler", autoscalerConfigSchema, flag === undefined ? env : { ...env, TOOLMESH_MAX_INSTANCES: flag });
  const problems: string[] = [];
  let mcpPools: McpPoolsConfig = {};
  try {
    mcpPools = parseMcpPools(raw.TOOLMESH_MCP_POOLS);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  const pools: PoolName[] = [];
  for (const name of raw.TOOLMESH_AUTOSCALER_POOLS) {
    if (isMcpPool(name) && !mcpPools[name.slice("mcp-".length)])
      problems.push(`TOOLMESH_AUTOSCALER_POOLS: "${name}" has no entry "${name.slice("mcp-".length)}" in TOOLMESH_MCP_POOLS`);
    else if (isPoolName(name)) pools.push(name);
    else problems.push(`TOOLMESH_AUTOSCALER_POOLS: unknown pool "${name}" (known: ${[...Object.keys(POOLS), "mcp-<name>"].join(", ")})`);
  }
  const bounds = new Map<PoolName, { min: number; max: number }>(pools.map((p) => [p, DEFAULT_BOUNDS]));
  // Every configured MCP server is a managed pool, with the replicas its entry asks for.
  for (const [name, server] of Object.entries(mcpPools)) {
    const pool = mcpPoolName(name);
    registerPool(pool, {
      ...(server.minLimit !== undefined ? { minLimit: server.minLimit } : {}),
      ...(server.maxLimit !== undefined ? { maxLimit: server.maxLimit } : {}),
    });
    if (!pools.includes(pool)) pools.push(pool);
    bounds.set(pool, { min: server.min, max: server.max });
  }
  for (const entry of raw.TOOLMESH_AUTOSCALER_REPLICAS) {
    const parsed = parseBound(entry);
    if (typeof parsed === "string") problems.push(parsed);
    else if (!isPoolName(parsed[0]) || !pools.includes(parsed[0]))
      problems.push(`TOOLMESH_AUTOSCALER_REPLICAS: "${parsed[0]}" is not in TOOLMESH_AUTOSCALER_POOLS`);
    else bounds.set(parsed[0], parsed[1]);
  }
  const mins = [...bounds.values()].reduce((a, b) => a + b.min, 0);
  if (mins > raw.TOOLMESH_MAX_INSTANCES)
    problems.push(`TOOLMESH_MAX_INSTANCES: ${raw.TOOLMESH_MAX_INSTANCES} is below the pools' minimum replicas summed (${mins})`);
  if (problems.length > 0) throw new ConfigError("autoscaler", problems);
  return { raw, pools, bounds, maxInstances: raw.TOOLMESH_MAX_INSTANCES, mcpPools };
}

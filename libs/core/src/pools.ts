import { POOL_TABLE, WORKER_POOLS, runsInCoordinator, type CoordinatorToolsName, type NativePoolName } from "./pool-table.js";

export type { NativePoolName } from "./pool-table.js";

/**
 * The worker pools and their concurrency ranges per instance, from
 * POOL_TABLE (pool-table.ts). A native tool's pool is the one whose tool
 * prefix is the part of its name before the first dot: code.grep → codebase.
 *
 * Pools are also made at run time: every configured MCP server is a pool
 * named `mcp-<name>` whose tools are `<name>.<tool>` (see docs/architecture.md
 * "MCP pools"). Their tools are not in the static catalog; a process that
 * learns of one registers its range with `registerPool` (the coordinator from
 * the run-time catalog, a worker and the autoscaler from their configuration).
 */
export const POOLS: Readonly<Record<NativePoolName, PoolDefinition>> = Object.fromEntries(
  WORKER_POOLS.map(([pool, row]) => [pool, { toolPrefix: row.toolPrefix, minLimit: row.minLimit, maxLimit: row.maxLimit }]),
) as Record<NativePoolName, PoolDefinition>;

/** The native worker pools' names, in table order. */
export const NATIVE_POOLS: readonly NativePoolName[] = WORKER_POOLS.map(([pool]) => pool);

/** A pool made at run time from an MCP server's configuration. */
export type McpPoolName = `mcp-${string}`;
export type PoolName = NativePoolName | McpPoolName;

export interface PoolDefinition {
  /** Tools of the pool are `<toolPrefix>.<tool>`. */
  readonly toolPrefix: string;
  /** The range an instance's adaptive concurrency limit moves in. */
  readonly minLimit: number;
  readonly maxLimit: number;
}

export const MCP_POOL_PREFIX = "mcp-";
/**
 * An MCP pool's name after `mcp-`, which is also its tools' prefix: a
 * subject token that starts with a letter (no dots: `<name>.<tool>` splits
 * at the first one).
 */
export const MCP_NAME = /^[a-z][a-z0-9_-]{0,47}$/;
/**
 * Calls one instance of an MCP pool runs at once unless its configuration
 * says otherwise: one upstream session serves them all, so a modest range.
 */
export const MCP_POOL_LIMITS = { minLimit: 8, maxLimit: 32 } as const;

/** Names a native pool or a tool prefix already uses: an MCP pool may not take them. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(POOL_TABLE),
  ...Object.values(POOL_TABLE).map((p) => p.toolPrefix),
  "mcp",
]);

const runtimePools = new Map<McpPoolName, PoolDefinition>();

export function isNativePool(value: string): value is NativePoolName {
  return Object.hasOwn(POOLS, value);
}

export function isMcpPool(value: string): value is McpPoolName {
  return value.startsWith(MCP_POOL_PREFIX) && mcpNameProblem(value.slice(MCP_POOL_PREFIX.length)) === undefined;
}

export function isPoolName(value: string): value is PoolName {
  return isNativePool(value) || isMcpPool(value);
}

/**
 * The work queue's pool of a task's pool: the pool itself unless it is a tool
 * family the coordinator runs (synth), which never reaches a queue — the
 * workflow runs those itself, so a dispatch of one is a bug and throws.
 */
export function workerPool(pool: PoolName | CoordinatorToolsName): PoolName {
  if (runsInCoordinator(pool)) throw new Error(`"${pool}" tools run in the coordinator, never on a work queue`);
  return pool;
}

/** Why `name` cannot name an MCP pool, or undefined when it can. */
export function mcpNameProblem(name: string): string | undefined {
  if (!MCP_NAME.test(name)) return `"${name}" must be 1-48 lower-case letters, digits, '_' or '-', starting with a letter`;
  if (RESERVED_NAMES.has(name)) return `"${name}" is taken by a native pool or tool prefix (${[...RESERVED_NAMES].join(", ")})`;
  return undefined;
}

/** `fs` → `mcp-fs`. */
export function mcpPoolName(name: string): McpPoolName {
  return `${MCP_POOL_PREFIX}${name}`;
}

/**
 * Makes a run-time pool's range known in this process (the last
 * registration wins). Native pools cannot be redefined.
 */
export function registerPool(pool: McpPoolName, limits: { minLimit?: number; maxLimit?: number } = {}): PoolDefinition {
  const minLimit = limits.minLimit ?? MCP_POOL_LIMITS.minLimit;
  const definition: PoolDefinition = {
    toolPrefix: pool.slice(MCP_POOL_PREFIX.length),
    minLimit,
    maxLimit: Math.max(minLimit, limits.maxLimit ?? MCP_POOL_LIMITS.maxLimit),
  };
  runtimePools.set(pool, definition);
  return definition;
}

/** A pool's definition: native, registered, or an MCP pool's defaults. */
export function poolDefinition(pool: PoolName): PoolDefinition {
  if (isNativePool(pool)) return POOLS[pool];
  return runtimePools.get(pool) ?? { toolPrefix: pool.slice(MCP_POOL_PREFIX.length), ...MCP_POOL_LIMITS };
}

/** The native pools, then the run-time pools registered in this process. */
export function knownPools(): PoolName[] {
  return [...NATIVE_POOLS, ...runtimePools.keys()];
}

/**
 * The native pool of a tool by its prefix. Run-time (MCP) tools are not
 * found here: their pool comes from the run-time catalog.
 */
export function poolOfTool(tool: string): NativePoolName | undefined {
  const prefix = tool.split(".", 1)[0];
  for (const [pool, def] of Object.entries(POOLS)) {
    if (def.toolPrefix === prefix) return pool as NativePoolName;
  }
  return undefined;
}

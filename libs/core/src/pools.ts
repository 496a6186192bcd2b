/**
 * The worker pools and their concurrency ranges per instance (the design's
 * numbers). A tool's pool is the part of its name before the first dot:
 * code.grep → codebase.
 */
export const POOLS = {
  codebase: { toolPrefix: "code", minLimit: 32, maxLimit: 48 },
  web: { toolPrefix: "web", minLimit: 16, maxLimit: 32 },
  bash: { toolPrefix: "bash", minLimit: 8, maxLimit: 16 },
  agent: { toolPrefix: "agent", minLimit: 4, maxLimit: 16 },
  /** Tools that exist only for tests and benchmarks (echo, sleep, fail). */
  test: { toolPrefix: "test", minLimit: 32, maxLimit: 256 },
} as const;
export type PoolName = keyof typeof POOLS;

export function isPoolName(value: string): value is PoolName {
  return Object.hasOwn(POOLS, value);
}

export function poolOfTool(tool: string): PoolName | undefined {
  const prefix = tool.split(".", 1)[0];
  for (const [pool, def] of Object.entries(POOLS)) {
    if (def.toolPrefix === prefix) return pool as PoolName;
  }
  return undefined;
}

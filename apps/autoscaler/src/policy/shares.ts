import { WORKER_POOLS } from "@toolmesh/core";

/**
 * Each pool's share of the machine (POOL_TABLE's scaleShare: the seed's CPU
 * shares, web 20 %, codebase 40 %, bash 30 %, coordination 10 %). The
 * autoscaler does not scale the coordinator (one active replica holds the
 * lease), so the coordination share goes to the pools that do
 * coordination-like work: agent 5 % (agents plan and submit child
 * workflows) and test 5 % (the test pool, for tests and benchmarks). Shares
 * are weights: they are normalised over the pools being managed, so managing
 * two pools splits the cap between those two in proportion.
 */
export const POOL_SHARES: Readonly<Record<string, number>> = Object.fromEntries(WORKER_POOLS.map(([pool, row]) => [pool, row.scaleShare]));

/** A pool not in the table gets the smallest share rather than none. */
export function shareOf(pool: string): number {
  return POOL_SHARES[pool] ?? 0.05;
}

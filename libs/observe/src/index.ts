/**
 * @toolmesh/observe — the pools as a read-only observer sees them: live
 * instances from the metrics bus, limit and replica changes from the pool
 * events, queue depths from the pools' consumers, summed per pool the way
 * `toolmesh top` prints them and the web console draws them.
 *
 *   const watch = new PoolWatch(nc, { staleMs: 5000 }).start();
 *   const rows = await watch.rows(); // [{ pool: "codebase", replicas: 1, limit: 32, ... }]
 */
export { poolRows } from "./pool-rows.js";
export type { PoolRow } from "./pool-rows.js";
export { PoolWatch } from "./pool-watch.js";
export type { PoolChange, PoolWatchOptions } from "./pool-watch.js";

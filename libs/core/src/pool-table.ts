/**
 * The one table of toolmesh's built-in pools: everything per pool that more
 * than one place needs (core's pool names and ranges, the autoscaler's
 * services and shares, the NATS roles' metrics subjects, the Helm chart's
 * values — deploy/test/pool-table-chart.test.ts holds the chart to it).
 *
 * A row is either a worker pool, whose tools run in the replicas of one
 * service, or a family of tools the coordinator runs itself (synth.*): the
 * latter is named like a pool on the wire (a task's `pool` is "synth") but
 * has no queue, no workers and no limits.
 */

/** Where a tool runs: a worker pool's replicas, or inside the coordinator. */
export type ToolPlacement = "worker" | "coordinator";

export interface ReplicaBounds {
  readonly min: number;
  readonly max: number;
}

export interface WorkerPoolRow {
  readonly placement: "worker";
  /** Tools of the pool are `<toolPrefix>.<tool>`. */
  readonly toolPrefix: string;
  /**
   * The service whose processes are the pool's workers: apps/<service>
   * (package @toolmesh/<service>, entry point @toolmesh/<service>/main), the
   * Deployment <prefix>-<service>, the metrics subject tm.metrics.<service>.>.
   */
  readonly service: string;
  /** The range an instance's adaptive concurrency limit moves in; it starts at minLimit. */
  readonly minLimit: number;
  readonly maxLimit: number;
  /**
   * Weight of the pool when the autoscaler splits TOOLMESH_MAX_INSTANCES
   * between pools that all want more (normalised over the managed pools).
   */
  readonly scaleShare: number;
  /**
   * How the Helm chart deploys the pool (values key: the service name in
   * camelCase): the HPA's replica bounds and the percent of the node budget
   * its requests take. Absent: the chart does not deploy the pool.
   */
  readonly chart?: {
    readonly replicas: ReplicaBounds;
    readonly nodeShare: { readonly cpu: number; readonly memory: number };
  };
}

export interface CoordinatorToolsRow {
  readonly placement: "coordinator";
  /** Tools of the family are `<toolPrefix>.<tool>`. */
  readonly toolPrefix: string;
}

export type PoolRow = WorkerPoolRow | CoordinatorToolsRow;

/*
 * The shares are the design's CPU split (web 20, codebase 40, bash 30,
 * coordination 10). The chart gives coordination's 10 % of a node to the
 * coordinator (6) and the agent pool (4); the autoscaler, which never
 * scales the coordinator, weighs agent and test 5 each instead.
 */
export const POOL_TABLE = {
  codebase: {
    placement: "worker",
    toolPrefix: "code",
    service: "codebase",
    minLimit: 32,
    maxLimit: 48,
    scaleShare: 0.4,
    chart: { replicas: { min: 1, max: 8 }, nodeShare: { cpu: 40, memory: 50 } },
  },
  web: {
    placement: "worker",
    toolPrefix: "web",
    service: "web-search",
    minLimit: 16,
    maxLimit: 32,
    scaleShare: 0.2,
    chart: { replicas: { min: 1, max: 8 }, nodeShare: { cpu: 20, memory: 25 } },
  },
  bash: {
    placement: "worker",
    toolPrefix: "bash",
    service: "bash",
    minLimit: 8,
    maxLimit: 16,
    scaleShare: 0.3,
    chart: { replicas: { min: 1, max: 6 }, nodeShare: { cpu: 30, memory: 15 } },
  },
  agent: {
    placement: "worker",
    toolPrefix: "agent",
    service: "agent",
    minLimit: 4,
    maxLimit: 16,
    scaleShare: 0.05,
    chart: { replicas: { min: 1, max: 4 }, nodeShare: { cpu: 4, memory: 4 } },
  },
  /** Tools that exist only for tests and benchmarks (echo, sleep, fail): never deployed by the chart. */
  test: { placement: "worker", toolPrefix: "test", service: "testpool", minLimit: 32, maxLimit: 256, scaleShare: 0.05 },
  /** The synthesis tools (merge, dedupe, rank, correlate, report): the coordinator runs them over its tasks' outputs. */
  synth: { placement: "coordinator", toolPrefix: "synth" },
} as const satisfies Record<string, PoolRow>;

type Table = typeof POOL_TABLE;
type RowName<P extends ToolPlacement> = { [K in keyof Table]: Table[K]["placement"] extends P ? K : never }[keyof Table];

/** A pool built into toolmesh, with its own service under apps/. */
export type NativePoolName = RowName<"worker">;
/** A family of tools the coordinator runs itself (a task's `pool` on the wire, never a queue). */
export type CoordinatorToolsName = RowName<"coordinator">;

/** The native worker pools with their rows, in table order. */
export const WORKER_POOLS: ReadonlyArray<readonly [NativePoolName, WorkerPoolRow]> = Object.entries(POOL_TABLE).filter(
  (entry): entry is [NativePoolName, Table[NativePoolName]] => entry[1].placement === "worker",
);

/** Where a table row's tools run; undefined for a name not in the table (an MCP pool's tools run in workers too). */
export function placementOf(pool: string): ToolPlacement | undefined {
  return Object.hasOwn(POOL_TABLE, pool) ? POOL_TABLE[pool as keyof Table].placement : undefined;
}

/** True for the tool families the coordinator runs itself (synth): no queue, no worker, no attempt. */
export function runsInCoordinator(pool: string): pool is CoordinatorToolsName {
  return placementOf(pool) === "coordinator";
}

import { resolve } from "node:path";

/**
 * `up`'s own settings, from the environment (validated before anything
 * starts; a bad value is one clear error):
 *
 *   TOOLMESH_STATE_DIR           where the stack's state file, logs, NATS store and bash workspace go (./.toolmesh)
 *   TOOLMESH_UP_READY_TIMEOUT_S  how long the whole stack may take to come up (300); --ready-timeout wins
 *   TOOLMESH_UP_STALL_S          a starting service that shows no progress (no log line, no CPU time) this long
 *                                is given up on; a slow but busy start is waited for (60)
 *   TOOLMESH_UP_KEEP_LOGS        how many runs' log directories to keep (5)
 *   TOOLMESH_AUTOSCALER_REPLICAS per-pool min:max worker processes (codebase=1:4,web=1:3,agent=0:2,bash=0:2:
 *                                agent and bash start on demand, when work for them queues up)
 */
export interface UpSettings {
  readyTimeoutMs: number;
  stallMs: number;
  /** Environment for every service `up` starts (and the workers they start). */
  servicesEnv: Record<string, string>;
  /** TOOLMESH_AUTOSCALER_REPLICAS restricted to the pools that run. */
  replicasFor(pools: readonly string[]): string;
  /** A pool's minimum workers (0: started on demand, when work for it queues up). */
  minWorkers(pool: string): number;
}

const DEFAULT_REPLICAS = "codebase=1:4,web=1:3,agent=0:2,bash=0:2";

export function stateDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.TOOLMESH_STATE_DIR || ".toolmesh");
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    problems.push(`${name} must be a positive number of seconds, got "${text}"`);
    return fallback;
  }
  return value;
}

export function upEnvironment(env: NodeJS.ProcessEnv, readyTimeoutS: number | undefined): UpSettings {
  const problems: string[] = [];
  const readyS = readyTimeoutS ?? seconds(env, "TOOLMESH_UP_READY_TIMEOUT_S", 300, problems);
  const stallS = seconds(env, "TOOLMESH_UP_STALL_S", 60, problems);
  const replicas = env.TOOLMESH_AUTOSCALER_REPLICAS || DEFAULT_REPLICAS;
  for (const entry of replicas.split(",")) {
    if (!/^[a-z-]+=\d+:\d+$/.test(entry.trim())) problems.push(`TOOLMESH_AUTOSCALER_REPLICAS: "${entry}" is not POOL=MIN:MAX`);
  }
  if (problems.length > 0) throw new Error(`bad settings: ${problems.join("; ")}`);
  return {
    readyTimeoutMs: readyS * 1000,
    stallMs: stallS * 1000,
    servicesEnv: {
      // A local stack stops within seconds: workers drain briefly, every
      // service gives up on a stuck shutdown before `up` has to kill it.
      TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS: env.TOOLMESH_AUTOSCALER_DRAIN_GRACE_MS ?? "3000",
      TOOLMESH_SHUTDOWN_TIMEOUT_MS: env.TOOLMESH_SHUTDOWN_TIMEOUT_MS ?? "5000",
      TOOLMESH_AUTOSCALER_WORKER_STALL_MS: String(stallS * 1000),
      TOOLMESH_AUTOSCALER_INTERVAL_MS: env.TOOLMESH_AUTOSCALER_INTERVAL_MS ?? "2000",
      TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S: env.TOOLMESH_AUTOSCALER_SCALE_DOWN_WINDOW_S ?? "30",
    },
    minWorkers: (pool) =>
      Number(/=(\d+):/.exec(replicas.split(",").find((entry) => entry.trim().startsWith(`${pool}=`)) ?? "=1:")?.[1] ?? 1),
    replicasFor: (pools) =>
      replicas
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => pools.includes(entry.slice(0, entry.indexOf("="))))
        .join(","),
  };
}

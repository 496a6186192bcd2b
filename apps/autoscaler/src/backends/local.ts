import {
  MCP_POOL_PREFIX,
  isMcpPool,
  poolRole,
  readRoleCredentials,
  roleEnv,
  type Logger,
  type McpPoolsConfig,
  type PoolName,
} from "@toolmesh/core";
import { ServiceStartError, WORKER_NODE_ARGS, startServiceProcess, type ServiceProcess } from "@toolmesh/local";
import { createRequire } from "node:module";
import { join } from "node:path";
import { COORDINATOR_CLIENT_POOLS, MCP_POOL_SERVICE, SERVICE_OF_POOL, type ScaleBackend } from "./backend.js";

export interface LocalBackendOptions {
  natsUrl: string;
  log: Logger;
  /** Environment for every child on top of this process's (which they inherit). */
  env?: Record<string, string>;
  /** Per-pool environment on top of that (e.g. a pool limit). */
  poolEnv?: Partial<Record<PoolName, Record<string, string>>>;
  /** How long a stopped worker may take to finish its in-flight tasks. */
  drainGraceMs: number;
  /** A starting worker without progress this long is given up on (startServiceProcess's readyTimeoutMs). */
  startStallMs?: number | undefined;
  logDir?: string | undefined;
  /**
   * The MCP servers made pools (TOOLMESH_MCP_POOLS): an `mcp-<name>` pool's
   * workers are apps/mcp-pool with TOOLMESH_MCP_POOL=<name>, this
   * configuration, and the pool's concurrency range.
   */
  mcpPools?: McpPoolsConfig;
  /**
   * pool-<pool>.json NATS credentials per pool (writeNatsAuth's `pools/`):
   * read at each start, so a worker holds its pool's role only.
   */
  poolCredentialsDir?: string | undefined;
  /** The service package's entry point (@toolmesh/<service>/main) by default; tests may point elsewhere. */
  scriptOf?: (service: string) => string;
}

const require = createRequire(import.meta.url);

/**
 * A service's process entry, through its package's ./main export (each an
 * optional peer dependency of this package, which the CLI installs): the
 * service is run, never reached into by path. Resolved at a worker's start,
 * not at load: the autoscaler's image (Kubernetes backend) carries no service
 * but its own.
 */
function serviceScript(service: string): string {
  return require.resolve(`@toolmesh/${service}/main`);
}

/**
 * The embedded default: worker processes of each pool's service on this
 * machine. Scale-up starts children and waits for their "ready" line;
 * scale-down sends SIGTERM to the newest ones, which stop pulling, finish
 * their in-flight tasks and hand back anything a pending pull still
 * delivers (so no task is lost), then exit. Stopping happens in the
 * background so a long drain does not hold up the next decision; a
 * stopping worker no longer counts as a replica. A child that dies by
 * itself drops out, and the next tick replaces it.
 */
export class LocalProcessBackend implements ScaleBackend {
  readonly name = "local";
  readonly #options: LocalBackendOptions;
  readonly #running = new Map<PoolName, ServiceProcess[]>();
  readonly #stopping = new Set<Promise<void>>();
  #sequence = 0;
  #closed = false;

  constructor(options: LocalBackendOptions) {
    this.#options = options;
  }

  async current(pool: PoolName): Promise<number> {
    return this.#pool(pool).length;
  }

  /** Instance ids of the pool's running (not stopping) workers. */
  instances(pool: PoolName): string[] {
    return this.#pool(pool).map((p) => p.name);
  }

  async apply(pool: PoolName, replicas: number): Promise<void> {
    if (this.#closed) return;
    const running = this.#pool(pool);
    if (replicas > running.length) {
      const started = await Promise.allSettled(Array.from({ length: replicas - running.length }, () => this.#start(pool)));
      const failed = started.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed.length > 0)
        throw new Error(`${failed.length} of ${started.length} ${pool} workers did not start: ${String(failed[0]!.reason)}`);
      return;
    }
    // Newest first: the oldest workers hold the warmest caches and learned limits.
    for (const worker of running.splice(replicas).reverse()) this.#stop(pool, worker);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [pool, workers] of this.#running) for (const worker of workers.splice(0)) this.#stop(pool, worker);
    await Promise.all(this.#stopping);
  }

  #pool(pool: PoolName): ServiceProcess[] {
    let list = this.#running.get(pool);
    if (!list) {
      list = [];
      this.#running.set(pool, list);
    }
    return list;
  }

  async #start(pool: PoolName): Promise<void> {
    const service = isMcpPool(pool) ? MCP_POOL_SERVICE : SERVICE_OF_POOL[pool];
    this.#sequence += 1;
    // An MCP pool's instances are named after the pool (mcp-fs-as…): many pools share one service.
    const instanceId = `${isMcpPool(pool) ? pool : service}-as${process.pid}-${this.#sequence}`;
    const script = this.#options.scriptOf?.(service) ?? serviceScript(service);
    // The "ready" line is logged at info: a quieter level would hide it and the start would time out.
    const level = this.#options.env?.TOOLMESH_LOG_LEVEL ?? process.env.TOOLMESH_LOG_LEVEL;
    let credentials: Record<string, string | undefined>;
    try {
      credentials = this.#credentialsEnv(pool);
    } catch (err) {
      // Said the way a failed start is, so `toolmesh up` shows it rather than a silent retry every round.
      this.#options.log.error(
        { pool, instanceId, error: `no NATS login for ${poolRole(pool)}: ${err instanceof Error ? err.message : String(err)}` },
        "worker failed to start",
      );
      throw err;
    }
    const worker = await startServiceProcess({
      name: instanceId,
      readyTimeoutMs: this.#options.startStallMs,
      script,
      nodeArgs: [...WORKER_NODE_ARGS],
      env: {
        ...this.#options.env,
        ...this.#mcpEnv(pool),
        ...this.#options.poolEnv?.[pool],
        ...credentials,
        ...(COORDINATOR_CLIENT_POOLS.has(pool) ? {} : { TOOLMESH_GRPC_TOKEN: undefined }),
        TOOLMESH_LOG_LEVEL: level === "trace" || level === "debug" ? level : "info",
        TOOLMESH_INSTANCE_ID: instanceId,
        TOOLMESH_NATS_URL: this.#options.natsUrl,
        TOOLMESH_METRICS_PORT: "0",
        TOOLMESH_DRAIN_GRACE_MS: String(this.#options.drainGraceMs),
      },
      ...(this.#options.logDir ? { logFile: join(this.#options.logDir, `${instanceId}.log`) } : {}),
    }).catch((err: unknown) => {
      // One line with the worker's own first error: `toolmesh up` shows it and stops.
      const error = err instanceof ServiceStartError ? err.firstError : String(err);
      this.#options.log.error({ pool, instanceId, error }, "worker failed to start");
      throw err;
    });
    if (this.#closed) {
      this.#stop(pool, worker);
      return;
    }
    worker.child.once("exit", (code, signal) => {
      const list = this.#pool(pool);
      const index = list.indexOf(worker);
      if (index < 0) return; // stopped by us
      list.splice(index, 1);
      this.#options.log.warn({ pool, instanceId, code, signal }, "worker exited by itself");
    });
    this.#pool(pool).push(worker);
    this.#options.log.info({ pool, instanceId, pid: worker.child.pid }, "worker started");
  }

  /** The pool role's login, in place of this process's own (which the child would otherwise inherit). */
  #credentialsEnv(pool: PoolName): Record<string, string | undefined> {
    const dir = this.#options.poolCredentialsDir;
    if (!dir) return {};
    return {
      ...roleEnv(readRoleCredentials(join(dir, `${poolRole(pool)}.json`))),
      TOOLMESH_NATS_TOKEN: undefined,
      TOOLMESH_NATS_CREDS: undefined,
    };
  }

  /** What an MCP pool's worker needs to know: which server it holds, its configuration, its concurrency range. */
  #mcpEnv(pool: PoolName): Record<string, string> {
    if (!isMcpPool(pool)) return {};
    const name = pool.slice(MCP_POOL_PREFIX.length);
    const server = this.#options.mcpPools?.[name];
    if (!server) return { TOOLMESH_MCP_POOL: name };
    return {
      TOOLMESH_MCP_POOL: name,
      TOOLMESH_MCP_POOLS: JSON.stringify({ [name]: server }),
      ...(server.minLimit !== undefined ? { TOOLMESH_POOL_MIN: String(server.minLimit) } : {}),
      ...(server.maxLimit !== undefined ? { TOOLMESH_POOL_MAX: String(server.maxLimit) } : {}),
    };
  }

  #stop(pool: PoolName, worker: ServiceProcess): void {
    this.#options.log.info({ pool, instanceId: worker.name }, "worker draining");
    // SIGKILL only well after the worker's own drain grace has run out.
    const stopping = worker.stop(this.#options.drainGraceMs + 5000).then(() => {
      this.#options.log.info({ pool, instanceId: worker.name, code: worker.child.exitCode }, "worker stopped");
      this.#stopping.delete(stopping);
    });
    this.#stopping.add(stopping);
  }
}

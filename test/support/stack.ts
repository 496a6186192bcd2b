import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ToolmeshClient } from "@toolmesh/client";
import { coordinatorConfigSchema, startCoordinator, type RunningCoordinator } from "@toolmesh/coordinator";
import { createLogger, createRegistry, loadConfig, type PoolName } from "@toolmesh/core";
import { startWorker, type AdaptiveOptions, type ToolHandlers, type Worker } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";
import { startTestNats, type NatsServerHandle } from "@toolmesh/testing";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Registry } from "prom-client";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface TestStack {
  nats: NatsServerHandle;
  nc: NatsConnection;
  coordinator: RunningCoordinator;
  client: ToolmeshClient;
  workers: Worker[];
  addWorker(
    pool: PoolName,
    handlers: ToolHandlers,
    options?: { limit?: number; ackWaitMs?: number; registry?: Registry; maxOutputBytes?: number; adaptive?: AdaptiveOptions },
  ): Promise<Worker>;
  stop(): Promise<void>;
}

const quiet = createLogger("test", process.env.TOOLMESH_TEST_LOG ?? "silent");

/**
 * A real stack in this process: its own nats-server (random port, JetStream
 * in a temp dir), the coordinator on a random loopback gRPC port, workers on
 * their own NATS connections, and a gRPC client.
 */
export async function startStack(env: Record<string, string> = {}): Promise<TestStack> {
  const nats = await startTestNats();
  const nc = await connect({ servers: nats.url, name: "test-coordinator" });
  const config = loadConfig("coordinator", coordinatorConfigSchema, {
    TOOLMESH_NATS_URL: nats.url,
    TOOLMESH_GRPC_HOST: "127.0.0.1",
    TOOLMESH_GRPC_PORT: "0",
    TOOLMESH_METRICS_INTERVAL_MS: "200",
    ...env,
  });
  const coordinator = await startCoordinator(config, nc, quiet);
  const client = new ToolmeshClient(`127.0.0.1:${coordinator.port}`, { token: env.TOOLMESH_GRPC_TOKEN });
  const connections: NatsConnection[] = [nc];
  const workers: Worker[] = [];
  return {
    nats,
    nc,
    coordinator,
    client,
    workers,
    async addWorker(pool, handlers, options = {}) {
      const wnc = await connect({ servers: nats.url, name: `test-worker-${pool}` });
      connections.push(wnc);
      const worker = await startWorker({
        service: `test-${pool}`,
        pool,
        handlers,
        nc: wnc,
        log: quiet,
        metricsIntervalMs: 200,
        // drain() waits for the pending pull to expire: the shortest JetStream allows keeps every stop() short.
        pullExpiresMs: 1000,
        ...options,
        registry: options.registry ?? createRegistry(`test-${pool}`),
      });
      workers.push(worker);
      return worker;
    },
    async stop() {
      client.close();
      await Promise.all(workers.map((w) => w.drain(1000)));
      await coordinator.close();
      await Promise.all(connections.map((c) => c.close()));
      await nats.stop();
    },
  };
}

export { testHandlers };

/** Runs a built service (apps/<name>/dist/main.js) as a real child process. */
export function spawnService(name: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [`${repoRoot}/apps/${name}/dist/main.js`], {
    env: { ...process.env, TOOLMESH_LOG_LEVEL: "warn", TOOLMESH_METRICS_PORT: "-1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    if (process.env.TOOLMESH_TEST_LOG) process.stderr.write(chunk);
  });
  return child;
}

/** A test pool worker as a real child process; the caller kills it. */
export function spawnTestPool(natsUrl: string, instanceId: string): ChildProcess {
  return spawnService("testpool", {
    TOOLMESH_NATS_URL: natsUrl,
    TOOLMESH_INSTANCE_ID: instanceId,
    // Heartbeats every third of it: a busy machine must not make a live worker look dead.
    TOOLMESH_ACK_WAIT_MS: "4000",
    TOOLMESH_POOL_LIMIT: "8",
    TOOLMESH_METRICS_INTERVAL_MS: "200",
  });
}

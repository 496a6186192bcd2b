import type { NatsConnection } from "@nats-io/transport-node";
import { createLogger, createRegistry } from "@toolmesh/core";
import { startWorker, type ToolHandlers, type Worker } from "@toolmesh/runtime";
import { testHandlers } from "@toolmesh/testpool";

export interface CountingWorker {
  worker: Worker;
  /** How many times test.sleep really ran, per its `value` argument. */
  runs: ReadonlyMap<string, number>;
}

/**
 * A test-pool worker in the test's own process whose test.sleep counts its
 * runs per value: what lets a coordinator test tell a call that ran twice
 * (dispatched again after a failover) from one that ran once. Drain it in
 * afterAll.
 */
export async function startCountingWorker(nc: NatsConnection, name: string, limit: number): Promise<CountingWorker> {
  const runs = new Map<string, number>();
  const handlers: ToolHandlers = {
    ...testHandlers,
    "test.sleep": async (args, ctx) => {
      runs.set(String(args.value), (runs.get(String(args.value)) ?? 0) + 1);
      return testHandlers["test.sleep"]!(args, ctx);
    },
  };
  const worker = await startWorker({
    service: `${name}-test`,
    pool: "test",
    handlers,
    nc,
    log: createLogger("test", "silent"),
    registry: createRegistry(name),
    limit,
    metricsIntervalMs: 200,
  });
  return { worker, runs };
}
